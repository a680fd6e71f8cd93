import type { DatadogApi } from '../integrations/datadog/api.ts';
import { buildDatadogEvent, deliveryTag } from '../integrations/datadog/event-payload.ts';
import type { Logger } from '../pipeline/ports.ts';
import type { NoticeSender } from './send.ts';

/** How far around the event's date a retry looks for an event an earlier attempt created. */
const LOOKBACK_SEC = 3600;

/**
 * Posts an outbox notice as a Datadog event (v1 createEvent). The outbox marks a row sent only after a 2xx;
 * on top of that, a retry first looks for an event carrying the row's delivery tag, so an attempt whose
 * answer was lost (a timeout, a 5xx after the write, a replica that died before recording the 2xx) does not
 * post the event twice. Datadog indexes events within seconds, so this narrows the at-least-once window
 * rather than closing it.
 */
export function createDatadogNoticeSender(deps: {
  api: DatadogApi;
  /** Base URL for links. */
  publicUrl: string;
  /** Whether the incident has a public page now (links are added only then). */
  isPublished: (incidentId: string) => Promise<boolean>;
  log: Logger;
}): NoticeSender {
  return async (delivery) => {
    const { notice } = delivery;
    const id = notice.incident.id;
    const tag = deliveryTag(id, delivery.id);
    const at = Math.floor(Date.parse(notice.at) / 1000);
    if (delivery.attempts > 1) {
      const found = await deps.api.countEvents([tag], at - LOOKBACK_SEC, at + LOOKBACK_SEC);
      if (found.ok && found.value > 0) {
        deps.log.info('datadog event already posted by an earlier attempt', { incident: id, tag });
        return { ok: true, status: 200 };
      }
      // Search failed: post anyway (at least once beats never).
    }
    let published = false;
    try {
      published = await deps.isPublished(id);
    } catch {
      // Without the flag the event just lacks the public link.
    }
    const event = buildDatadogEvent(notice, {
      internalUrl: `${deps.publicUrl}/internal/incidents/${id}`,
      publicUrl: published ? `${deps.publicUrl}/incidents/${id}` : null,
      deliveryTag: tag,
    });
    const result = await deps.api.createEvent(event);
    if (result.ok) return { ok: true, status: 202 };
    return {
      ok: false,
      error: `datadog ${result.outcome}: ${result.message}`,
      ...(result.retryAfterMs !== null ? { retryAfterMs: result.retryAfterMs } : {}),
    };
  };
}
