import type { NormalizedAlert } from '../core/alert.ts';
import type { DatadogResult } from '../integrations/datadog/api.ts';
import type { MonitorFacts } from '../integrations/datadog/monitor-labels.ts';
import type { AlertRouter, RouteOutcome } from '../pipeline/ingest.ts';
import type { IdGen, Logger } from '../pipeline/ports.ts';
import { upsertAlerts } from '../store/alerts.ts';
import { lockStillStale, markReconciled, staleDatadogAlerts } from '../store/datadog-reconcile-queries.ts';
import type { Db } from '../store/db.ts';
import { claimInterval } from '../store/leases.ts';
import type { Job } from './scheduler.ts';

const RECONCILE_ACTOR = 'system:datadog-reconcile';
const LEASE_KEY = 'datadog.reconcile.last_run';
/** Monitors looked up at once: enough to finish a batch quickly, few enough to stay under rate limits. */
const CONCURRENCY = 4;

export interface ReconcileDeps {
  db: Db;
  newId: IdGen;
  /** The running rule set's router: a reconciled resolve is correlated exactly like a webhook's. */
  router: () => AlertRouter | null;
  getMonitor: (id: number) => Promise<DatadogResult<MonitorFacts>>;
  intervalMs: number;
  staleAfterMs: number;
  batch?: number;
  log: Logger;
  onRun?: (summary: ReconcileSummary) => void;
}

export interface ReconcileSummary {
  at: Date;
  /** Stale firing alerts looked at. */
  alerts: number;
  monitors: number;
  /** Monitors that could not be read (the alerts stay as they are). */
  failed: number;
  resolved: number;
}

/**
 * Datadog webhooks get lost (a receiver down longer than Datadog's retries, a muted notification): a firing
 * Datadog alert not heard of for `staleAfterMs` has its monitor read, and a monitor that is OK now resolves
 * the alert the way a Recovered webhook would (alert upsert + correlation, one transaction), with a timeline
 * event that says it was reconciled. One replica per interval runs it (a conditional update of a lease row);
 * alert rows are claimed with `skip locked`, so a webhook in flight wins.
 */
async function runDatadogReconcile(deps: ReconcileDeps, now: Date): Promise<ReconcileSummary | null> {
  if (!(await claimInterval(deps.db, LEASE_KEY, now, deps.intervalMs))) return null;
  const cutoff = new Date(now.getTime() - deps.staleAfterMs);
  const stale = await staleDatadogAlerts(deps.db, cutoff, deps.batch ?? 200);
  const summary: ReconcileSummary = { at: now, alerts: stale.length, monitors: 0, failed: 0, resolved: 0 };
  if (stale.length > 0) {
    const monitorIds = [...new Set(stale.map((s) => Number(s.monitor_id)))];
    summary.monitors = monitorIds.length;
    const ok = new Set<number>();
    await forEachLimited(monitorIds, CONCURRENCY, async (id) => {
      const result = await deps.getMonitor(id);
      if (!result.ok) summary.failed += 1;
      else if (result.value.overallState === 'OK') ok.add(id);
    });
    const ids = stale.filter((s) => ok.has(Number(s.monitor_id))).map((s) => s.id);
    if (ids.length > 0) summary.resolved = await resolveAlerts(deps, ids, cutoff, now);
  }
  if (summary.resolved > 0 || summary.failed > 0) deps.log.info('datadog reconcile', { ...summary });
  deps.onRun?.(summary);
  return summary;
}

async function resolveAlerts(deps: ReconcileDeps, ids: string[], cutoff: Date, now: Date): Promise<number> {
  const { resolved, outcome } = await deps.db.transaction().execute(async (trx) => {
    const rows = await lockStillStale(trx, ids, cutoff);
    if (rows.length === 0) return { resolved: 0, outcome: null };
    const alerts: NormalizedAlert[] = rows.map((r) => ({
      source: 'datadog',
      fingerprint: r.fingerprint,
      status: 'resolved',
      labels: r.labels,
      annotations: { ...r.annotations, resolved_by: 'datadog-reconcile' },
      title: r.title,
      startsAt: new Date(r.starts_at),
      endsAt: now,
      generatorUrl: r.generator_url,
      raw: r.raw,
    }));
    const upserted = await upsertAlerts(trx, alerts, now, deps.newId);
    const router = deps.router();
    const outcome: RouteOutcome | null = router ? await router(trx, upserted, now) : null;
    // The router wrote `alert.resolved` as for a webhook; say on the timeline who resolved it and why.
    await markReconciled(
      trx,
      RECONCILE_ACTOR,
      now,
      rows.map((r) => r.id),
    );
    return { resolved: rows.length, outcome };
  });
  outcome?.afterCommit?.();
  return resolved;
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function datadogReconcileJob(deps: ReconcileDeps): Job {
  return { name: 'datadog-reconcile', run: (now) => runDatadogReconcile(deps, now) };
}
