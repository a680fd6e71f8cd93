import type { IngestDeps } from './ingest.ts';

/** Which of these fingerprints the expiry job resolved, and when they expired (`expiredFingerprints` in the store). */
export type FindExpired = (fingerprints: readonly string[]) => Promise<Map<string, Date>>;

/**
 * Before the ingest transaction of alerts that expire unless re-sent: a firing delivery of an alert the expiry job
 * resolved, still carrying a start from before it expired, would be taken for a late copy of the old occurrence
 * (dedup orders by start) and ignored, leaving a firing alert resolved. It is a new occurrence from now on, as
 * Alertmanager fires such an alert again.
 */
export function refireExpired(
  find: FindExpired,
  now: () => Date,
  next?: IngestDeps['enrich'],
): NonNullable<IngestDeps['enrich']> {
  return async (source, alerts) => {
    const expired = await find(alerts.filter((a) => a.status === 'firing').map((a) => a.fingerprint));
    const out =
      expired.size === 0
        ? alerts
        : alerts.map((a) => {
            const at = expired.get(a.fingerprint);
            return a.status === 'firing' && at && a.startsAt.getTime() <= at.getTime()
              ? { ...a, startsAt: now() }
              : a;
          });
    return next ? next(source, out) : out;
  };
}
