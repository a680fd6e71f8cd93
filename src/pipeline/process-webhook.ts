import { SpanStatusCode } from '@opentelemetry/api';
import type { NormalizedAlert, SourceParseResult } from '../core/alert.ts';
import type { IngestLimits } from '../core/ingest-limits.ts';
import { withSpan } from '../telemetry/tracing.ts';
import { type IngestDeps, type IngestResult, ingestAlerts } from './ingest.ts';
import { parseWebhookBody } from './parse-webhook-body.ts';
import type { WebhookSource } from './ports.ts';

/**
 * One webhook body, top-down: ① verify (the route, before its intake journal) ② decode ③ parse ④ enrich
 * ⑤ dedup ⑥ correlate ⑦ write, all in one transaction ⑧ publish after commit (⑤ to ⑧: `ingestAlerts`).
 * The webhook route and dead-letter replay both call `processWebhookBody`; it returns outcomes, and each
 * caller maps them to its own statuses.
 */
export type WebhookOutcome =
  | { kind: 'accepted'; result: IngestResult & { truncated_alerts?: number } }
  | { kind: 'invalid'; message: string };

export interface WebhookDeps {
  ingest: IngestDeps;
  /** Bounds on a body's alerts, labels, names and values (config.limits); the defaults without. */
  limits?: IngestLimits;
}

/** ① The sender's own signature over the raw body, when it has one. */
export function verifyBody(
  source: WebhookSource,
  req: { headers: Record<string, string | undefined>; rawBody: Uint8Array; now: Date },
  secrets: { grafanaHmacSecret?: string },
): { ok: true } | { ok: false; error: string } {
  return source.verify ? source.verify(req, secrets) : { ok: true };
}

export async function processWebhookBody(
  deps: WebhookDeps,
  source: WebhookSource,
  bytes: Uint8Array,
): Promise<WebhookOutcome> {
  const now = deps.ingest.clock.now();
  const parsed = await parse(source, bytes, now, deps.limits);
  if (!parsed.ok) return { kind: 'invalid', message: parsed.error };
  const alerts = await enrich(deps.ingest, source.name, parsed.alerts);
  const result = await ingestAlerts(deps.ingest, source.name, alerts);
  const { truncatedAlerts } = parsed;
  return {
    kind: 'accepted',
    result: { ...result, ...(truncatedAlerts ? { truncated_alerts: truncatedAlerts } : {}) },
  };
}

/**
 * ② decode (UTF-8 in slices) ③ parse: shape scan before JSON.parse, sliced parse, depth and storable-text
 * guard, the sender's shape → normalized alerts, the ingest limits, dates PostgreSQL can store
 * (parse-webhook-body.ts). Runs in time slices, so a big body never holds the event loop for long.
 */
async function parse(
  source: WebhookSource,
  bytes: Uint8Array,
  now: Date,
  limits: IngestLimits | undefined,
): Promise<SourceParseResult> {
  return withSpan('normalize', { 'incidentd.source': source.name }, async (span) => {
    const result = await parseWebhookBody(source, bytes, now, limits);
    if (result.ok) span.setAttribute('incidentd.alert_count', result.alerts.length);
    else span.setStatus({ code: SpanStatusCode.ERROR, message: result.error });
    return result;
  });
}

/** ④ Facts from outside (Datadog monitors), before the transaction: a slow look-up never holds row locks. */
async function enrich(
  deps: IngestDeps,
  source: string,
  alerts: NormalizedAlert[],
): Promise<NormalizedAlert[]> {
  return deps.enrich ? deps.enrich(source, alerts) : alerts;
}
