import { setImmediate as yieldToOthers } from 'node:timers/promises';
import type { RetentionConfig } from '../config.ts';
import type { Logger } from '../pipeline/ports.ts';
import type { Db } from '../store/db.ts';
import { claimInterval, releaseInterval } from '../store/leases.ts';
import {
  pruneAlertEvents,
  pruneAlerts,
  pruneCandidateGroups,
  pruneDeadLetters,
  pruneIncidents,
} from '../store/retention.ts';
import type { Job } from './scheduler.ts';

export const RETENTION_LEASE_KEY = 'retention.last_run';

export type RetainedKind = 'incidents' | 'alerts' | 'alertEvents' | 'deadLetters' | 'candidateGroups';

export interface RetentionSummary {
  at: Date;
  deleted: Record<RetainedKind, number>;
  /** A kind hit the batch bound: the next tick (any replica) goes on instead of waiting an interval. */
  more: boolean;
}

// Incidents first: the alerts they held go with them; then what is left by age.
const PRUNERS: [
  RetainedKind,
  keyof RetentionConfig,
  (db: Db, before: Date, limit: number) => Promise<number>,
][] = [
  ['incidents', 'incidentsMs', pruneIncidents],
  ['alerts', 'alertsMs', pruneAlerts],
  ['alertEvents', 'alertEventsMs', pruneAlertEvents],
  ['deadLetters', 'deadLettersMs', pruneDeadLetters],
  ['candidateGroups', 'candidateGroupsMs', pruneCandidateGroups],
];

/**
 * Deletes what is older than its retention period, in batches of `batchSize` rows (one short statement each),
 * yielding to requests between batches. One replica per interval runs it (a lease row in `settings`); rows are
 * also claimed with `skip locked`. Returns null when another replica (or an earlier tick) has the interval.
 */
export async function runRetention(
  deps: { db: Db; settings: RetentionConfig; log?: Logger },
  now: Date,
): Promise<RetentionSummary | null> {
  const { db, settings } = deps;
  if (!(await claimInterval(db, RETENTION_LEASE_KEY, now, settings.intervalMs))) return null;
  const summary: RetentionSummary = {
    at: now,
    deleted: { incidents: 0, alerts: 0, alertEvents: 0, deadLetters: 0, candidateGroups: 0 },
    more: false,
  };
  for (const [kind, setting, prune] of PRUNERS) {
    const keepMs = settings[setting] as number | null;
    if (keepMs === null) continue;
    const before = new Date(now.getTime() - keepMs);
    for (let batch = 0; ; batch++) {
      const n = await prune(db, before, settings.batchSize);
      summary.deleted[kind] += n;
      if (n < settings.batchSize) break;
      if (batch + 1 >= settings.maxBatches) {
        summary.more = true;
        break;
      }
      await yieldToOthers();
    }
    await yieldToOthers();
  }
  if (summary.more) await releaseInterval(db, RETENTION_LEASE_KEY, now, settings.intervalMs);
  if (Object.values(summary.deleted).some((n) => n > 0))
    deps.log?.info('retention pruned', { ...summary.deleted });
  return summary;
}

export function retentionJob(deps: { db: Db; settings: RetentionConfig; log?: Logger }): Job {
  return { name: 'retention', run: (now) => runRetention(deps, now) };
}
