import type { SourceParseResult } from '../../core/alert.ts';
import { formatError } from '../../core/format-issue.ts';
import type { Source } from '../source.ts';
import { postableAlertsSchema } from './payload.ts';
import { PROMETHEUS_SOURCE, postableAlertToNormalized } from './to-raw.ts';

/** `POST /api/v2/alerts`: a JSON array of Alertmanager postable alerts, as Prometheus sends them. */
export function parsePrometheus(body: unknown, receivedAt: Date): SourceParseResult {
  if (!Array.isArray(body)) return { ok: false, error: 'body: expected a JSON array of alerts' };
  const parsed = postableAlertsSchema.safeParse({ alerts: body });
  if (!parsed.success) return { ok: false, error: formatError(parsed.error) };
  return {
    ok: true,
    alerts: parsed.data.alerts.map((alert, i) => postableAlertToNormalized(alert, body[i], receivedAt)),
    truncatedAlerts: 0,
  };
}

export const prometheusSource: Source = { name: PROMETHEUS_SOURCE, parse: parsePrometheus };
