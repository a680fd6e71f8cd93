import type { SourceParseResult } from '../../core/alert.ts';
import { formatError } from '../../core/format-issue.ts';
import type { Source } from '../source.ts';
import { alertmanagerBodySchema } from './payload.ts';
import { alertmanagerBodyToNormalized, countOrZero } from './to-raw.ts';

export function parseAlertmanager(body: unknown, receivedAt: Date): SourceParseResult {
  const parsed = alertmanagerBodySchema.safeParse(body);
  if (!parsed.success) return { ok: false, error: formatError(parsed.error) };
  const rawAlerts = (body as { alerts: unknown[] }).alerts;
  return {
    ok: true,
    alerts: alertmanagerBodyToNormalized(parsed.data, rawAlerts, receivedAt),
    truncatedAlerts: countOrZero(parsed.data.truncatedAlerts),
  };
}

export const alertmanagerSource: Source = { name: 'alertmanager', parse: parseAlertmanager };
