import type { Incident } from '../core/incident.ts';
import type { IncidentChange } from '../core/incident-change.ts';
import { breachCustomerLabels, fireClock, firingEvent } from '../core/sla.ts';
import { queueNotices, type TrackingSettings } from '../pipeline/incident-tracking.ts';
import type { Db } from '../store/db.ts';
import { incidentFromRow, insertEvents } from '../store/incidents.ts';
import { claimDueClocks, saveClocks } from '../store/sla-clocks.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import type { Job } from './scheduler.ts';

export interface SlaBreach {
  customer: string;
  severity: string;
  target: string;
}

/**
 * Fires due SLA clocks once: warnings at warn_at, breaches at due_at, each as an internal timeline event and
 * outbox notices, in one transaction. Clocks are claimed with `skip locked`, so N replicas fire each once.
 * Incidents are read, not locked: an action holding an incident lock may wait for a clock, never the reverse.
 */
export async function runSlaClocks(
  db: Db,
  settings: TrackingSettings,
  now: Date,
  batch = 200,
): Promise<{ changes: IncidentChange[]; breaches: SlaBreach[] }> {
  return db.transaction().execute(async (trx) => {
    const due = await claimDueClocks(trx, now, batch);
    if (due.length === 0) return { changes: [], breaches: [] };
    const ids = [...new Set(due.map((c) => c.incidentId))];
    const rows = await trx.selectFrom('incidents').selectAll().where('id', 'in', ids).execute();
    const incidents = new Map<string, Incident>(rows.map((r) => [r.id, incidentFromRow(r)]));
    const changes = new Map<string, IncidentChange>();
    const breaches: SlaBreach[] = [];
    for (const clock of due) {
      const incident = incidents.get(clock.incidentId)!;
      if (incident.state === 'resolved') {
        // Resolved by a path that did not settle its clocks: settle them now instead of firing.
        const at = incident.resolvedAt ?? now;
        await saveClocks(trx, [
          clock.target === 'resolve' ? { ...clock, metAt: at } : { ...clock, cancelledAt: at },
        ]);
        continue;
      }
      const firing = fireClock(clock, now);
      if (!firing) continue;
      await saveClocks(trx, [firing.clock]);
      const event = { ...firingEvent(firing, incident, now), incidentId: incident.id };
      let change = changes.get(incident.id);
      if (!change) {
        change = { incident, created: false, events: [] };
        changes.set(incident.id, change);
      }
      change.events.push(event);
      if (firing.kind === 'sla.breached') {
        for (const customer of breachCustomerLabels(settings.sla, incident.customers)) {
          breaches.push({ customer, severity: incident.severity, target: clock.target });
        }
      }
    }
    const list = [...changes.values()];
    await insertEvents(
      trx,
      list.flatMap((c) => c.events),
    );
    await queueNotices(trx, settings, list, now);
    return { changes: list, breaches };
  });
}

/** The scheduled job: fire clocks, then (after commit) count breaches, announce, refresh gauges. */
export function slaClocksJob(deps: {
  db: Db;
  settings: TrackingSettings;
  metrics: Metrics;
  announce: (changes: IncidentChange[]) => void;
  refreshGauges?: () => Promise<void>;
}): Job {
  return {
    name: 'sla-clocks',
    run: async (now) => {
      const { changes, breaches } = await runSlaClocks(deps.db, deps.settings, now);
      for (const b of breaches) deps.metrics.slaBreaches.inc({ ...b });
      deps.announce(changes);
      await deps.refreshGauges?.();
      return changes.length;
    },
  };
}
