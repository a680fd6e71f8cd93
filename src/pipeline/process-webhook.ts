import { SpanStatusCode } from '@opentelemetry/api';
import type { NormalizedAlert } from '../core/alert.ts';
import { withSpan } from '../telemetry/tracing.ts';
import { type IngestDeps, type IngestResult, ingestAlerts } from './ingest.ts';
import type { BodyChecks, WebhookSource } from './ports.ts';

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
  checks: BodyChecks;
}

type Stage<T> = { ok: true; value: T } | { ok: false; error: string };

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
  const decoded = decode(deps.checks, bytes);
  if (!decoded.ok) return { kind: 'invalid', message: decoded.error };
  const parsed = await parse(deps.checks, source, decoded.value, now);
  if (!parsed.ok) return { kind: 'invalid', message: parsed.error };
  const alerts = await enrich(deps.ingest, source.name, parsed.value.alerts);
  const result = await ingestAlerts(deps.ingest, source.name, alerts);
  const { truncatedAlerts } = parsed.value;
  return {
    kind: 'accepted',
    result: { ...result, ...(truncatedAlerts ? { truncated_alerts: truncatedAlerts } : {}) },
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** ② UTF-8, JSON, then the depth and storable-text guard. */
function decode(checks: BodyChecks, bytes: Uint8Array): Stage<unknown> {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, error: 'body: not valid UTF-8' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `body: invalid JSON (${(err as Error).message})` };
  }
  const guarded = checks.json(json);
  return guarded.ok ? guarded : { ok: false, error: guarded.error };
}

/** ③ The sender's shape → normalized alerts, with dates PostgreSQL can store. */
async function parse(
  checks: BodyChecks,
  source: WebhookSource,
  json: unknown,
  now: Date,
): Promise<Stage<{ alerts: NormalizedAlert[]; truncatedAlerts?: number }>> {
  const parsed = await withSpan('normalize', { 'incidentd.source': source.name }, async (span) => {
    const result = source.parse(json, now);
    if (result.ok) span.setAttribute('incidentd.alert_count', result.alerts.length);
    else span.setStatus({ code: SpanStatusCode.ERROR, message: result.error });
    return result;
  });
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const badDate = checks.dates(parsed.alerts);
  if (badDate) return { ok: false, error: badDate };
  return {
    ok: true,
    value: {
      alerts: parsed.alerts,
      ...(parsed.truncatedAlerts ? { truncatedAlerts: parsed.truncatedAlerts } : {}),
    },
  };
}

/** ④ Facts from outside (Datadog monitors), before the transaction: a slow look-up never holds row locks. */
async function enrich(
  deps: IngestDeps,
  source: string,
  alerts: NormalizedAlert[],
): Promise<NormalizedAlert[]> {
  return deps.enrich ? deps.enrich(source, alerts) : alerts;
}
