import type { FollowedAlert, NormalizedAlert } from '../core/alert.ts';
import type { IngestDeps } from './ingest.ts';

/** The stored alert of this source with this fingerprint (`findAlertByFingerprint` in the store). */
export type FindAlert = (fingerprint: string) => Promise<FollowedAlert | undefined>;

/**
 * PagerDuty semantics on top of the parsed event, before the ingest transaction:
 * - the routing key's catalog labels (team, customer…) are added, and win over the sender's;
 * - an acknowledge or resolve carries no payload: it takes the labels, annotations, title and start of the alert it
 *   refers to (so the rules route it to the same incident); one for an unknown alert, or an acknowledge of a
 *   resolved one, is dropped, as PagerDuty drops them.
 */
export function pagerdutyEnrich(
  routingLabels: Record<string, string>,
  find: FindAlert,
  next?: IngestDeps['enrich'],
): NonNullable<IngestDeps['enrich']> {
  return async (source, alerts) => {
    const out: NormalizedAlert[] = [];
    for (const alert of alerts) {
      const action = alert.annotations.pagerduty_event_action;
      const followUp = action !== 'trigger' && (alert.raw as { payload?: unknown } | null)?.payload == null;
      if (!followUp) {
        out.push({ ...alert, labels: { ...alert.labels, ...routingLabels } });
        continue;
      }
      const stored = await find(alert.fingerprint);
      if (!stored || (action === 'acknowledge' && stored.status === 'resolved')) continue;
      out.push({
        ...alert,
        labels: { ...stored.labels, ...routingLabels },
        annotations: { ...stored.annotations, ...alert.annotations },
        title: stored.title,
        startsAt: stored.startsAt,
      });
    }
    return next ? next(source, out) : out;
  };
}
