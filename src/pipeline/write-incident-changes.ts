import type { IncidentChange } from '../core/incident-change.ts';
import type { Trx } from '../store/db.ts';
import { insertEvents, saveIncidents } from '../store/incidents.ts';

/** In the same transaction, after the incidents are written: SLA clocks and the notification outbox. */
export type TrackChanges = (trx: Trx, changes: IncidentChange[], now: Date) => Promise<void>;

/**
 * The one write path for incident changes (router, responder actions, auto-resolve): incident rows, their
 * timeline events, then SLA clocks and outbox rows. Batched: a few statements whatever the number of changes.
 */
export async function writeIncidentChanges(
  trx: Trx,
  changes: IncidentChange[],
  now: Date,
  track?: TrackChanges,
): Promise<void> {
  await saveIncidents(trx, changes, now);
  await insertEvents(
    trx,
    changes.flatMap((c) => c.events),
  );
  await track?.(trx, changes, now);
}
