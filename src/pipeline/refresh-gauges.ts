import { SEVERITIES } from '../core/severity.ts';
import type { Db } from '../store/db.ts';
import { gaugeCounts } from '../store/incident-queries.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import type { Clock } from './ports.ts';

/**
 * Sets the store-derived gauges (open incidents by severity, customers affected, updates overdue) from the
 * database, so they are right after a restart and agree across replicas.
 */
export function createRefreshGauges(deps: { db: Db; metrics: Metrics; clock: Clock }): () => Promise<void> {
  return async () => {
    const counts = await gaugeCounts(deps.db, deps.clock.now());
    for (const severity of SEVERITIES) {
      deps.metrics.incidentsOpen.set({ severity }, counts.openBySeverity[severity] ?? 0);
    }
    deps.metrics.customersAffected.set(counts.customersAffected);
    deps.metrics.updatesOverdue.set(counts.updatesOverdue);
  };
}
