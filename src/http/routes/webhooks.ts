import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Hono } from 'hono';
import { type IngestDeps, ingestAlerts } from '../../pipeline/ingest.ts';
import type { Logger } from '../../pipeline/ports.ts';
import { sources } from '../../sources/registry.ts';
import type { Db } from '../../store/db.ts';
import { insertDeadLetter, keptHeaders } from '../../store/dead-letters.ts';
import { isDatabaseUnavailable } from '../../store/errors.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import { tracer, withSpan } from '../../telemetry/tracing.ts';
import type { AppDeps } from '../app.ts';
import { guardJson, outOfRangeDate } from '../json-guard.ts';
import { hasToken, unauthorized } from '../middleware/require-token.ts';
import { readBodyLimited } from '../read-body.ts';

export interface WebhookOutcome {
  status: 200 | 400 | 413;
  body: Record<string, unknown>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Of a body over the limit, this much is kept as its dead letter: enough to see what it was, while a truncated
 * body could never be replayed anyway. Keeping the whole 5 MB prefix made each oversized delivery cost hundreds
 * of MB of transient memory in the embedded store.
 */
const KEPT_OF_OVERSIZED = 64 * 1024;

/** Parses and ingests one stored or received body. Shared by the webhook route and dead-letter replay. */
export async function processWebhookBody(
  deps: { ingest: IngestDeps; metrics: Metrics },
  sourceName: string,
  bytes: Uint8Array,
): Promise<WebhookOutcome> {
  const source = sources[sourceName]!;
  const now = deps.ingest.clock.now();
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { status: 400, body: { error: 'invalid', message: 'body: not valid UTF-8' } };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return {
      status: 400,
      body: { error: 'invalid', message: `body: invalid JSON (${(err as Error).message})` },
    };
  }
  const guarded = guardJson(json);
  if (!guarded.ok) return { status: 400, body: { error: 'invalid', message: guarded.error } };
  json = guarded.value;
  const parsed = await withSpan('normalize', { 'incidentd.source': sourceName }, async (span) => {
    const result = source.parse(json, now);
    if (result.ok) span.setAttribute('incidentd.alert_count', result.alerts.length);
    else span.setStatus({ code: SpanStatusCode.ERROR, message: result.error });
    return result;
  });
  if (!parsed.ok) return { status: 400, body: { error: 'invalid', message: parsed.error } };
  const badDate = outOfRangeDate(parsed.alerts);
  if (badDate) return { status: 400, body: { error: 'invalid', message: badDate } };
  // Outside the transaction: a slow look-up never holds row locks.
  const alerts = deps.ingest.enrich ? await deps.ingest.enrich(sourceName, parsed.alerts) : parsed.alerts;
  const result = await ingestAlerts(deps.ingest, sourceName, alerts);
  return {
    status: 200,
    body: { ...result, ...(parsed.truncatedAlerts ? { truncated_alerts: parsed.truncatedAlerts } : {}) },
  };
}

async function keepDeadLetter(
  db: Db,
  log: Logger,
  metrics: Metrics,
  entry: Parameters<typeof insertDeadLetter>[1],
  now: Date,
) {
  try {
    const id = await insertDeadLetter(db, entry, now);
    metrics.deadLetters.inc({ source: entry.source });
    return id;
  } catch (err) {
    log.error('could not keep dead letter', { source: entry.source, reason: entry.reason, error: err });
    return null;
  }
}

/** `POST /webhooks/:source`: authenticate, bound, parse, commit, then answer. */
export function webhookRoutes(deps: AppDeps, ingest: IngestDeps): Hono {
  const app = new Hono();
  const { metrics, log, config } = deps;
  app.use('/webhooks/:source', async (c, next) => {
    const name = c.req.param('source');
    if (!(name in sources)) {
      return c.json(
        {
          error: 'not_found',
          message: `unknown source "${name}"; known: ${Object.keys(sources).join(', ')}`,
        },
        404,
      );
    }
    if (!hasToken(c, deps.tokens.ingest)) {
      metrics.alertsRejected.inc({ source: name, reason: 'unauthorized' });
      return unauthorized(c, 'ingest');
    }
    await next();
  });
  app.post('/webhooks/:source', async (c) => {
    const name = c.req.param('source');
    const started = performance.now();
    const parent = propagation.extract(context.active(), c.req.header());
    return tracer().startActiveSpan(
      `webhook ${name}`,
      { kind: SpanKind.SERVER, attributes: { 'incidentd.source': name } },
      parent,
      async (span) => {
        const now = deps.clock.now();
        let received: Uint8Array | null = null;
        const dead = (reason: string, statusCode: number, body: Uint8Array) =>
          keepDeadLetter(
            deps.store.db,
            log,
            metrics,
            {
              source: name,
              reason,
              statusCode,
              contentType: c.req.header('content-type') ?? null,
              headers: keptHeaders((h) => c.req.header(h)),
              body,
            },
            now,
          );
        try {
          const { bytes, tooLarge } = await readBodyLimited(c.req.raw, config.maxBodyBytes);
          if (tooLarge) {
            const message = `body: larger than the limit of ${config.maxBodyBytes} bytes (INCIDENTD_MAX_BODY_BYTES)`;
            metrics.alertsRejected.inc({ source: name, reason: 'too_large' });
            const kept = bytes.subarray(0, KEPT_OF_OVERSIZED);
            const id = await dead(`${message}; first ${kept.byteLength} bytes kept`, 413, kept);
            return c.json({ error: 'too_large', message, dead_letter_id: id }, 413);
          }
          received = bytes;
          const verify = sources[name]!.verify;
          if (verify) {
            const check = verify(
              { headers: c.req.header(), rawBody: bytes, now },
              { ...(config.grafanaHmacSecret ? { grafanaHmacSecret: config.grafanaHmacSecret } : {}) },
            );
            if (!check.ok) {
              metrics.alertsRejected.inc({ source: name, reason: 'unauthorized' });
              return c.json({ error: 'unauthorized', message: check.error }, 401);
            }
          }
          const outcome = await processWebhookBody({ ingest, metrics }, name, bytes);
          span.setAttribute('incidentd.alert_count', Number(outcome.body.accepted ?? 0));
          if (Array.isArray(outcome.body.incidents)) {
            span.setAttribute('incidentd.incident_ids', outcome.body.incidents.map(String));
          }
          if (outcome.status !== 200) {
            metrics.alertsRejected.inc({ source: name, reason: 'invalid' });
            const id = await dead(String(outcome.body.message), outcome.status, bytes);
            return c.json({ ...outcome.body, dead_letter_id: id }, outcome.status);
          }
          metrics.ingestDuration.observe({ source: name }, (performance.now() - started) / 1000);
          return c.json(outcome.body, 200);
        } catch (err) {
          if (isDatabaseUnavailable(err)) {
            metrics.alertsRejected.inc({ source: name, reason: 'unavailable' });
          } else if (received) {
            // A bug, not an outage: keep the body so it can be replayed once fixed (the sender may give up).
            await dead(`ingest failed: ${(err as Error)?.message ?? String(err)}`, 500, received);
          }
          throw err;
        } finally {
          span.end();
        }
      },
    );
  });
  return app;
}
