import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { type Context, Hono } from 'hono';
import type { IngestLimits } from '../../core/ingest-limits.ts';
import { type IngestDeps, ingestAlerts } from '../../pipeline/ingest.ts';
import type { Logger } from '../../pipeline/ports.ts';
import type { CustomSourceDef } from '../../sources/custom/definition.ts';
import { findSource, unknownSource } from '../../sources/find-source.ts';
import { decodeWebhookBody } from '../../sources/form-body.ts';
import type { Db } from '../../store/db.ts';
import { insertDeadLetter, keptHeaders } from '../../store/dead-letters.ts';
import { isDatabaseUnavailable } from '../../store/errors.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import { tracer, withSpan } from '../../telemetry/tracing.ts';
import type { AppDeps } from '../app.ts';
import { hasToken, unauthorized } from '../middleware/require-token.ts';
import { parseWebhookBody } from '../parse-webhook-body.ts';
import { ClientAbortedError, readBodyLimited } from '../read-body.ts';

export interface WebhookOutcome {
  status: 200 | 400 | 413 | 415;
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
  deps: { ingest: IngestDeps; metrics: Metrics; limits?: IngestLimits; custom?: readonly CustomSourceDef[] },
  sourceName: string,
  bytes: Uint8Array,
): Promise<WebhookOutcome> {
  const source = findSource(sourceName, deps.custom ?? []);
  // A kept body (dead letter, journal) of a custom source since removed from the catalog.
  if (!source) return { status: 400, body: { error: 'invalid', message: `unknown source "${sourceName}"` } };
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
  const custom = config.catalog.sources;
  // `/webhooks/custom/:name`: a catalog source, stored as `custom/<name>`; its names are shown after auth only.
  const sourceOf = (c: Context) => c.req.param('source') ?? `custom/${c.req.param('name')}`;
  for (const path of ['/webhooks/:source', '/webhooks/custom/:name'])
    app.use(path, async (c, next) => {
      const name = sourceOf(c);
      const known = findSource(name, custom) !== undefined;
      if (!known && !name.startsWith('custom/')) return c.json(unknownSource(name, custom), 404);
      if (!hasToken(c, deps.tokens.ingest)) {
        if (known) metrics.alertsRejected.inc({ source: name, reason: 'unauthorized' });
        return unauthorized(c, 'ingest');
      }
      if (!known) return c.json(unknownSource(name, custom), 404);
      await next();
    });
  const receive = async (c: Context) => {
    const name = sourceOf(c);
    const source = findSource(name, custom)!;
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
          const verify = source.verify;
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
          // A form body (Datadog, custom sources) goes on as its JSON equivalent: journal, dead letters, replay.
          const decoded = decodeWebhookBody(source, c.req.header('content-type'), bytes, config.limits);
          if (!decoded.ok) {
            metrics.alertsRejected.inc({ source: name, reason: 'invalid' });
            const id = await dead(decoded.error, decoded.status);
            const error = decoded.status === 415 ? 'unsupported_media_type' : 'invalid';
            return c.json({ error, message: decoded.error, dead_letter_id: id }, decoded.status);
          }
          // Intake journal (embedded PGlite on disk): the body is fdatasync'ed before it can be acknowledged.
          await deps.journal?.append(c.req.raw, {
            source: name,
            headers: keptHeaders((h) => c.req.header(h)),
            receivedAt: now,
            body: decoded.bytes,
          });
          const outcome = await processWebhookBody(
            { ingest, metrics, limits: config.limits, custom },
            name,
            decoded.bytes,
          );
          span.setAttribute('incidentd.alert_count', Number(outcome.body.accepted ?? 0));
          if (Array.isArray(outcome.body.incidents)) {
            span.setAttribute('incidentd.incident_ids', outcome.body.incidents.map(String));
          }
          if (outcome.status !== 200) {
            metrics.alertsRejected.inc({ source: name, reason: 'invalid' });
            const id = await dead(String(outcome.body.message), outcome.status, decoded.bytes);
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
  };
  app.post('/webhooks/:source', receive);
  app.post('/webhooks/custom/:name', receive);
  return app;
}
