import type { NormalizedAlert } from '../core/alert.ts';
import type { UpsertedAlert } from '../core/route-plan.ts';
import { countUnrouted, summarizeUnrouted, type Unrouted } from '../core/unrouted.ts';
import { recordAlertExpiries } from '../store/alert-expiry.ts';
import { upsertAlerts } from '../store/alerts.ts';
import type { Db, Trx } from '../store/db.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { withSpan } from '../telemetry/tracing.ts';
import type { Clock, IdGen, Logger } from './ports.ts';

/** Correlation, applied inside the ingest transaction so a 2xx means "committed and correlated". */
export type AlertRouter = (trx: Trx, alerts: UpsertedAlert[], now: Date) => Promise<RouteOutcome>;

export interface RouteOutcome {
  incidentIds: string[];
  /** This webhook's alerts that opened or joined no incident, and why. */
  unrouted: Unrouted[];
  /** Runs after commit: publish events, update gauges. Never before: a rolled-back change is never announced. */
  afterCommit?: () => void;
}

export interface IngestDeps {
  db: Db;
  clock: Clock;
  newId: IdGen;
  metrics: Metrics;
  router: () => AlertRouter | null;
  /** One info line per webhook that had unrouted alerts. */
  log?: Logger;
  /**
   * Runs before the transaction on a webhook's parsed alerts (Datadog monitor look-ups). Must not throw and
   * must bound its own time: it adds facts, it never decides whether alerts are accepted.
   */
  enrich?: (source: string, alerts: NormalizedAlert[]) => Promise<NormalizedAlert[]>;
}

export interface IngestResult {
  accepted: number;
  incidents: string[];
  new: number;
  changed: number;
  repeated: number;
  /** The first alerts that opened or joined no incident, with a readable reason. */
  unrouted: { fingerprint: string; reason: string }[];
  unrouted_count: number;
}

/** ① dedup and store ② correlate ③ commit ④ after-commit effects: one webhook, one transaction. */
export async function ingestAlerts(
  deps: IngestDeps,
  source: string,
  alerts: NormalizedAlert[],
): Promise<IngestResult> {
  const now = deps.clock.now();
  const router = deps.router();
  const { upserted, outcome } = await deps.db.transaction().execute(async (trx) => {
    const attributes = { 'incidentd.source': source, 'incidentd.alert_count': alerts.length };
    const upserted = await withSpan('store', attributes, () => upsertAlerts(trx, alerts, now, deps.newId));
    await recordAlertExpiries(trx, alerts);
    const outcome: RouteOutcome = router
      ? await withSpan('correlate', attributes, async (span) => {
          const result = await router(trx, upserted, now);
          span.setAttribute('incidentd.incident_ids', result.incidentIds);
          return result;
        })
      : {
          incidentIds: [],
          unrouted: upserted.flatMap((u): Unrouted[] =>
            u.incidentId ? [] : [{ fingerprint: u.alert.fingerprint, reason: { kind: 'no_rules' } }],
          ),
        };
    return { upserted, outcome };
  });
  const { afterCommit } = outcome;
  if (afterCommit) {
    await withSpan(
      'notify',
      { 'incidentd.source': source, 'incidentd.incident_ids': outcome.incidentIds },
      async () => afterCommit(),
    );
  }
  const resolved = alerts.filter((a) => a.status === 'resolved').length;
  if (alerts.length > resolved)
    deps.metrics.alertsReceived.inc({ source, status: 'firing' }, alerts.length - resolved);
  if (resolved > 0) deps.metrics.alertsReceived.inc({ source, status: 'resolved' }, resolved);
  if (outcome.unrouted.length > 0) {
    deps.log?.info('webhook alerts opened or joined no incident', {
      source,
      unrouted: outcome.unrouted.length,
      reasons: countUnrouted(outcome.unrouted),
    });
  }
  return {
    accepted: alerts.length,
    incidents: outcome.incidentIds,
    new: upserted.filter((u) => u.change === 'new').length,
    changed: upserted.filter((u) => u.change === 'resolved' || u.change === 'refiring').length,
    repeated: upserted.filter((u) => u.change === 'repeat' || u.change === 'stale').length,
    ...summarizeUnrouted(outcome.unrouted),
  };
}
