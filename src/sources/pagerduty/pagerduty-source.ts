import type { SourceParseResult } from '../../core/alert.ts';
import { formatError } from '../../core/format-issue.ts';
import type { Source } from '../source.ts';
import { pagerdutyEventSchema } from './payload.ts';
import { PAGERDUTY_SOURCE, pagerdutyEventToNormalized } from './to-raw.ts';

/** What a change event (which PagerDuty takes at /v2/change/enqueue) posted here is told. */
export const CHANGE_EVENT_ERROR =
  'event_action: missing; this looks like a change event, which incidentd does not take (only alert events: trigger, acknowledge, resolve)';

/** One PagerDuty Events API v2 alert event: one alert. */
export function parsePagerduty(body: unknown, receivedAt: Date): SourceParseResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return { ok: false, error: 'body: expected a JSON object' };
  const fields = body as Record<string, unknown>;
  if (fields.event_action === undefined && fields.payload !== undefined)
    return { ok: false, error: CHANGE_EVENT_ERROR };
  const parsed = pagerdutyEventSchema.safeParse(body);
  if (!parsed.success) return { ok: false, error: formatError(parsed.error) };
  return {
    ok: true,
    alerts: [pagerdutyEventToNormalized(parsed.data, body, receivedAt)],
    truncatedAlerts: 0,
  };
}

export const pagerdutySource: Source = { name: PAGERDUTY_SOURCE, parse: parsePagerduty };
