import type { IncidentChange } from '../core/incident-change.ts';
import { autoResolve } from '../core/rules/auto-resolve.ts';
import { type TrackChanges, writeIncidentChanges } from '../pipeline/write-incident-changes.ts';
import type { Db } from '../store/db.ts';
import { incidentFromRow } from '../store/incidents.ts';

/**
 * Resolves incidents whose alerts all resolved and whose resolve_after has passed. `skip locked` lets every
 * replica run this job: each due incident is claimed by exactly one of them.
 */
export async function runAutoResolve(
  db: Db,
  now: Date,
  opts: {
    batch?: number;
    /** SLA clocks and notifications, in the same transaction as the resolution (as for every other change). */
    track?: TrackChanges;
  } = {},
): Promise<IncidentChange[]> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('incidents')
      .selectAll()
      .where('state', '<>', 'resolved')
      .where('firing_count', '=', 0)
      .where('auto_resolve_at', '<=', now)
      .orderBy('auto_resolve_at')
      .limit(opts.batch ?? 100)
      .forUpdate()
      .skipLocked()
      .execute();
    if (rows.length === 0) return [];
    const changes: IncidentChange[] = rows.map((row) => {
      const { incident, events } = autoResolve(incidentFromRow(row), now);
      return { incident, created: false, events: events.map((e) => ({ ...e, incidentId: incident.id })) };
    });
    // The same write path as the ingest router and responders' actions.
    await writeIncidentChanges(trx, changes, now, opts.track);
    return changes;
  });
}
