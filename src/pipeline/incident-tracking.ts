import { type NotificationTarget, noticesFor, routeNotice } from '../core/notification-routing.ts';
import { reconcileClocks, type SlaSettings, selectPolicy } from '../core/sla.ts';
import type { Trx } from '../store/alerts.ts';
import { insertEvents } from '../store/incidents.ts';
import { enqueueNotifications } from '../store/outbox.ts';
import { listClocks, saveClocks } from '../store/sla-clocks.ts';
import type { IncidentChange } from './route-alerts.ts';

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
  for (const change of relevant) {
    const { incident } = change;
    const result = reconcileClocks({
      incident,
      selection: selectPolicy(settings.sla, incident.customers, incident.severity),
      warningAt: settings.sla.sla_warning_at,
      clocks: clocks.filter((c) => c.incidentId === incident.id),
      now,
      updatePosted: change.events.some((e) => e.kind === 'update.posted'),
    });
    await saveClocks(trx, result.changed);
    const events = result.events.map((e) => ({ ...e, incidentId: incident.id }));
    await insertEvents(trx, events);
    change.events.push(...events);
  }
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
