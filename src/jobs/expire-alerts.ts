import type { NormalizedAlert } from '../core/alert.ts';
import { type IngestDeps, ingestAlerts } from '../pipeline/ingest.ts';
import { expiredAlerts } from '../store/alert-expiry.ts';
import type { Job } from './scheduler.ts';

/** Alertmanager's default `resolve_timeout`. */
export const DEFAULT_RESOLVE_TIMEOUT_MS = 5 * 60_000;

/**
 * Alertmanager's resolve_timeout for alerts pushed to `POST /api/v2/alerts`: a firing alert that was not re-sent
 * before its `endsAt` (or, without one, within the resolve timeout of when it was last seen) is resolved at its
 * expiry, through the normal ingest path, so its incident resolves as for any resolved alert. Replicas may both
 * pick one up: the second resolution is a repeat and changes nothing.
 */
export function expireAlertsJob(deps: {
  ingest: IngestDeps;
  source: string;
  resolveTimeoutMs: number;
  batch?: number;
}): Job {
  return {
    name: `expire-${deps.source}-alerts`,
    run: async (now) => {
      const rows = await expiredAlerts(
        deps.ingest.db,
        deps.source,
        now,
        deps.resolveTimeoutMs,
        deps.batch ?? 500,
      );
      if (rows.length === 0) return 0;
      const alerts: NormalizedAlert[] = rows.map((row) => ({
        source: deps.source,
        fingerprint: row.fingerprint,
        status: 'resolved',
        labels: row.labels,
        annotations: row.annotations,
        title: row.title,
        startsAt: row.starts_at,
        endsAt: row.expired_at,
        generatorUrl: row.generator_url,
        raw: row.raw,
        // Kept on the resolved row: it marks the alert as expired rather than resolved by its sender.
        expiresAt: row.expired_at,
      }));
      await ingestAlerts(deps.ingest, deps.source, alerts);
      return alerts.length;
    },
  };
}
