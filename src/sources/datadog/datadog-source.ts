import type { SourceParseResult } from '../../core/alert.ts';
import { formatError } from '../../core/format-issue.ts';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from '../../core/ingest-limits.ts';
import type { Source } from '../source.ts';
import { datadogBodySchema, readDatadogEvent } from './payload.ts';
import { datadogEventToNormalized } from './to-raw.ts';

export function parseDatadog(
  body: unknown,
  receivedAt: Date,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): SourceParseResult {
  const parsed = datadogBodySchema.safeParse(body);
  if (!parsed.success) return { ok: false, error: formatError(parsed.error) };
  // Validate the original object, but map from it too: zod's copy would drop nothing useful here.
  const object = body as Record<string, unknown>;
  return {
    ok: true,
    alerts: [
      datadogEventToNormalized(readDatadogEvent(object), object, receivedAt, limits.maxLabelsPerAlert),
    ],
    truncatedAlerts: 0,
  };
}

export const datadogSource: Source = { name: 'datadog', parse: parseDatadog, formBodies: true };
