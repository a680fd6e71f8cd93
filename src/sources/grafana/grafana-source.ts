import type { SourceParseResult } from '../../core/alert.ts';
import { formatError } from '../../core/format-issue.ts';
import { countOrZero } from '../alertmanager/to-raw.ts';
import type { Source } from '../source.ts';
import { grafanaBodySchema, grafanaLegacyBodySchema, isLegacyGrafanaBody } from './payload.ts';
import { grafanaBodyToNormalized, grafanaLegacyBodyToNormalized } from './to-raw.ts';
import { verifyGrafanaSignature } from './verify.ts';

export function parseGrafana(body: unknown, receivedAt: Date): SourceParseResult {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    if (isLegacyGrafanaBody(body as Record<string, unknown>)) {
      const legacy = grafanaLegacyBodySchema.safeParse(body);
      if (!legacy.success) return { ok: false, error: formatError(legacy.error) };
      return {
        ok: true,
        alerts: [grafanaLegacyBodyToNormalized(legacy.data, body, receivedAt)],
        truncatedAlerts: 0,
      };
    }
  }
  const parsed = grafanaBodySchema.safeParse(body);
  if (!parsed.success) return { ok: false, error: formatError(parsed.error) };
  const rawAlerts = (body as { alerts: unknown[] }).alerts;
  return {
    ok: true,
    alerts: grafanaBodyToNormalized(parsed.data, rawAlerts, receivedAt),
    truncatedAlerts: countOrZero(parsed.data.truncatedAlerts),
  };
}

export const grafanaSource: Source = { name: 'grafana', parse: parseGrafana, verify: verifyGrafanaSignature };
