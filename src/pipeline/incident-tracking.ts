import type { IncidentEvent } from '../core/incident.ts';
import type { IncidentChange } from '../core/incident-change.ts';
import { type NotificationTarget, noticesFor, routeNotice } from '../core/notification-routing.ts';
import { reconcileClocks, type SlaClock, type SlaSettings, selectPolicy } from '../core/sla.ts';
import type { Trx } from '../store/db.ts';
import { insertEvents } from '../store/incidents.ts';
import { enqueueNotifications } from '../store/outbox.ts';
import { listClocks, saveClocks } from '../store/sla-clocks.ts';

export interface TrackingSettings {
  sla: SlaSettings;
  notifications: readonly NotificationTarget[];
}

/** Event kinds that can move an SLA clock; other changes (an alert attached, a note) leave clocks alone. */
const CLOCK_KINDS = new Set([
  'opened',
  'severity.changed',
  'customer.added',
  'acknowledged',
  'owner.assigned',
  'update.posted',
  'resolved',
  'reopened',
]);

/**
 * Inside the transaction that changed the incidents: recompute their SLA clocks (sla.met events are written
 * and appended to the change, so after-commit sinks see them) and queue notifications in the outbox.
 */
export async function trackIncidentChanges(
  trx: Trx,
  settings: TrackingSettings,
  changes: IncidentChange[],
  now: Date,
): Promise<void> {
  await syncClocks(trx, settings, changes, now);
  await queueNotices(trx, settings, changes, now);
}

export async function syncClocks(
  trx: Trx,
  settings: TrackingSettings,
  changes: IncidentChange[],
  now: Date,
): Promise<void> {
  const relevant = changes.filter((c) => c.events.some((e) => CLOCK_KINDS.has(e.kind)));
  if (relevant.length === 0) return;
  const clocks = await listClocks(
    trx,
    relevant.map((c) => c.incident.id),
    { forUpdate: true },
  );
  const byIncident = new Map<string, SlaClock[]>();
  for (const c of clocks) {
    const list = byIncident.get(c.incidentId);
    if (list) list.push(c);
    else byIncident.set(c.incidentId, [c]);
  }
  const changed: SlaClock[] = [];
  const events: IncidentEvent[] = [];
  for (const change of relevant) {
    const { incident } = change;
    const result = reconcileClocks({
      incident,
      selection: selectPolicy(settings.sla, incident.customers, incident.severity),
      warningAt: settings.sla.sla_warning_at,
      clocks: byIncident.get(incident.id) ?? [],
      now,
      updatePosted: change.events.some((e) => e.kind === 'update.posted'),
    });
    changed.push(...result.changed);
    const own = result.events.map((e) => ({ ...e, incidentId: incident.id }));
    events.push(...own);
    change.events.push(...own);
  }
  // Batched across incidents: a webhook that opens thousands of incidents costs a few statements.
  await saveClocks(trx, changed);
  await insertEvents(trx, events);
}

export async function queueNotices(
  trx: Trx,
  settings: TrackingSettings,
  changes: IncidentChange[],
  now: Date,
): Promise<void> {
  if (settings.notifications.length === 0) return;
  const rows = changes.flatMap((change) =>
    noticesFor(change).flatMap((notice) =>
      routeNotice(settings.notifications, notice).map((t) => ({
        incidentId: change.incident.id,
        target: t.name,
        notice,
      })),
    ),
  );
  await enqueueNotifications(trx, rows, now);
}
