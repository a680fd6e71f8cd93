import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Hono } from 'hono';
import type { IngestLimits } from '../../core/ingest-limits.ts';
import { type IngestDeps, ingestAlerts } from '../../pipeline/ingest.ts';
import type { Logger } from '../../pipeline/ports.ts';
import { sources } from '../../sources/registry.ts';
import type { Db } from '../../store/db.ts';
import { insertDeadLetter, keptHeaders } from '../../store/dead-letters.ts';
import { isDatabaseUnavailable } from '../../store/errors.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import { tracer, withSpan } from '../../telemetry/tracing.ts';
import type { AppDeps } from '../app-deps.ts';
import { hasToken, unauthorized } from '../middleware/require-token.ts';
import { parseWebhookBody } from '../parse-webhook-body.ts';
import { ClientAbortedError, readBodyLimited } from '../read-body.ts';

export interface WebhookOutcome {
  status: 200 | 400 | 413;
  body: Record<string, unknown>;
}

/**
 * Of a body over the limit, this much is kept as its dead letter: enough to see what it was, while a truncated
 * body could never be replayed anyway. Keeping the whole 5 MB prefix made each oversized delivery cost hundreds
 * of MB of transient memory in the embedded store.
 */
const KEPT_OF_OVERSIZED = 64 * 1024;

/** Parses and ingests one stored or received body. Shared by the webhook route and dead-letter replay. */
export async function processWebhookBody(
  deps: { ingest: IngestDeps; metrics: Metrics; limits?: IngestLimits },
  sourceName: string,
  bytes: Uint8Array,
): Promise<WebhookOutcome> {
  const source = sources[sourceName]!;
  const now = deps.ingest.clock.now();
  const parsed = await withSpan('normalize', { 'incidentd.source': sourceName }, async (span) => {
    const result = await parseWebhookBody(source, bytes, now, deps.limits);
    if (result.ok) span.setAttribute('incidentd.alert_count', result.alerts.length);
    else span.setStatus({ code: SpanStatusCode.ERROR, message: result.error });
    return result;
  });
  if (!parsed.ok) return { status: 400, body: { error: 'invalid', message: parsed.error } };
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
        try {
          const now = deps.clock.now();
          const { bytes, tooLarge } = await readBodyLimited(c.req.raw, config.maxBodyBytes);
          const dead = (reason: string, statusCode: number, body = bytes) =>
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
                keepBytes: config.deadLetterBodyBytes,
              },
              now,
            );
          if (tooLarge) {
            const message = `body: larger than the limit of ${config.maxBodyBytes} bytes (INCIDENTD_MAX_BODY_BYTES)`;
            metrics.alertsRejected.inc({ source: name, reason: 'too_large' });
            const kept = bytes.subarray(0, KEPT_OF_OVERSIZED);
            const id = await dead(`${message}; first ${kept.byteLength} bytes kept`, 413, kept);
            return c.json({ error: 'too_large', message, dead_letter_id: id }, 413);
          }
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
          // Intake journal (embedded PGlite on disk): the body is fdatasync'ed before it can be acknowledged.
          await deps.journal?.append(c.req.raw, {
            source: name,
            headers: keptHeaders((h) => c.req.header(h)),
            receivedAt: now,
            body: bytes,
          });
          const outcome = await processWebhookBody({ ingest, metrics, limits: config.limits }, name, bytes);
          span.setAttribute('incidentd.alert_count', Number(outcome.body.accepted ?? 0));
          if (Array.isArray(outcome.body.incidents)) {
            span.setAttribute('incidentd.incident_ids', outcome.body.incidents.map(String));
          }
          if (outcome.status !== 200) {
            metrics.alertsRejected.inc({ source: name, reason: 'invalid' });
            const id = await dead(String(outcome.body.message), outcome.status);
            return c.json({ ...outcome.body, dead_letter_id: id }, outcome.status);
          }
          metrics.ingestDuration.observe({ source: name }, (performance.now() - started) / 1000);
          return c.json(outcome.body, 200);
        } catch (err) {
          if (err instanceof ClientAbortedError) {
            metrics.alertsRejected.inc({ source: name, reason: 'aborted' });
            log.info('client aborted', { source: name });
          } else if (isDatabaseUnavailable(err))
            metrics.alertsRejected.inc({ source: name, reason: 'unavailable' });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  });
  return app;
}
