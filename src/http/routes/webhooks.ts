import { context, propagation, type Span, SpanKind } from '@opentelemetry/api';
import { type Context, Hono } from 'hono';
import { processWebhookBody, verifyBody, type WebhookDeps } from '../../pipeline/process-webhook.ts';
import { findSource, unknownSource } from '../../sources/find-source.ts';
import { decodeWebhookBody } from '../../sources/form-body.ts';
import type { Source } from '../../sources/source.ts';
import { insertDeadLetter, keptHeaders } from '../../store/dead-letters.ts';
import { isDatabaseUnavailable } from '../../store/errors.ts';
import { tracer } from '../../telemetry/tracing.ts';
import type { AppDeps } from '../app-deps.ts';
import { hasToken, unauthorized } from '../middleware/require-token.ts';
import { ClientAbortedError, readBodyLimited } from '../read-body.ts';

/**
 * Of a body over the limit, this much is kept as its dead letter: enough to see what it was, while a truncated
 * body could never be replayed anyway. Keeping the whole 5 MB prefix made each oversized delivery cost hundreds
 * of MB of transient memory in the embedded store.
 */
const KEPT_OF_OVERSIZED = 64 * 1024;

/** Keeps a refused or failed body for replay; never fails the request itself (null: could not keep it). */
async function keepDeadLetter(
  deps: AppDeps,
  c: Context,
  entry: { reason: string; statusCode: number; body: Uint8Array },
  now: Date,
): Promise<number | null> {
  const source = sourceOf(c);
  try {
    const id = await insertDeadLetter(
      deps.store.db,
      {
        source,
        ...entry,
        contentType: c.req.header('content-type') ?? null,
        headers: keptHeaders((h) => c.req.header(h)),
        keepBytes: deps.config.deadLetterBodyBytes,
      },
      now,
    );
    deps.metrics.deadLetters.inc({ source });
    return id;
  } catch (err) {
    deps.log.error('could not keep dead letter', { source, reason: entry.reason, error: err });
    return null;
  }
}

/** `/webhooks/custom/:name`: a catalog source, stored as `custom/<name>`. */
const sourceOf = (c: Context) => c.req.param('source') ?? `custom/${c.req.param('name')}`;

/**
 * `POST /webhooks/:source` and `POST /webhooks/custom/:name`: authenticate, bound, verify, decode (form bodies),
 * journal, process (pipeline/process-webhook.ts), answer.
 */
export function webhookRoutes(deps: AppDeps, webhook: WebhookDeps): Hono {
  const app = new Hono();
  const { metrics } = deps;
  const custom = deps.config.catalog.sources;
  // A custom source's names are shown after auth only.
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
  const post = async (c: Context) => {
    const name = sourceOf(c);
    const source = findSource(name, custom)!;
    const parent = propagation.extract(context.active(), c.req.header());
    return tracer().startActiveSpan(
      `webhook ${name}`,
      { kind: SpanKind.SERVER, attributes: { 'incidentd.source': name } },
      parent,
      async (span) => {
        try {
          return await receive(deps, webhook, c, span, name, source);
        } catch (err) {
          // A sender that disconnects mid-body is not an outage (reason aborted, logged at info).
          if (err instanceof ClientAbortedError) {
            metrics.alertsRejected.inc({ source: name, reason: 'aborted' });
            deps.log.info('client aborted', { source: name });
          }
          throw err;
        } finally {
          span.end();
        }
      },
    );
  };
  app.post('/webhooks/:source', post);
  app.post('/webhooks/custom/:name', post);
  return app;
}

async function receive(
  deps: AppDeps,
  webhook: WebhookDeps,
  c: Context,
  span: Span,
  name: string,
  source: Source,
): Promise<Response> {
  const { metrics, config } = deps;
  const started = performance.now();
  const now = deps.clock.now();
  const { bytes, tooLarge } = await readBodyLimited(c.req.raw, config.maxBodyBytes);
  if (tooLarge) {
    const message = `body: larger than the limit of ${config.maxBodyBytes} bytes (INCIDENTD_MAX_BODY_BYTES)`;
    metrics.alertsRejected.inc({ source: name, reason: 'too_large' });
    const kept = bytes.subarray(0, KEPT_OF_OVERSIZED);
    const reason = `${message}; first ${kept.byteLength} bytes kept`;
    const id = await keepDeadLetter(deps, c, { reason, statusCode: 413, body: kept }, now);
    return c.json({ error: 'too_large', message, dead_letter_id: id }, 413);
  }
  const secrets = config.grafanaHmacSecret ? { grafanaHmacSecret: config.grafanaHmacSecret } : {};
  const check = verifyBody(source, { headers: c.req.header(), rawBody: bytes, now }, secrets);
  if (!check.ok) {
    metrics.alertsRejected.inc({ source: name, reason: 'unauthorized' });
    return c.json({ error: 'unauthorized', message: check.error }, 401);
  }
  // A form body (Datadog, custom sources) goes on as its JSON equivalent: journal, dead letters, replay.
  const decoded = decodeWebhookBody(source, c.req.header('content-type'), bytes, config.limits);
  if (!decoded.ok) {
    metrics.alertsRejected.inc({ source: name, reason: 'invalid' });
    const id = await keepDeadLetter(
      deps,
      c,
      { reason: decoded.error, statusCode: decoded.status, body: bytes },
      now,
    );
    const error = decoded.status === 415 ? 'unsupported_media_type' : 'invalid';
    return c.json({ error, message: decoded.error, dead_letter_id: id }, decoded.status);
  }
  const body = decoded.bytes;
  // Intake journal (embedded PGlite on disk): the body is fdatasync'ed before it can be acknowledged.
  await deps.journal?.append(c.req.raw, {
    source: name,
    headers: keptHeaders((h) => c.req.header(h)),
    receivedAt: now,
    body,
  });
  let outcome: Awaited<ReturnType<typeof processWebhookBody>>;
  try {
    outcome = await processWebhookBody(webhook, source, body);
  } catch (err) {
    if (isDatabaseUnavailable(err)) {
      metrics.alertsRejected.inc({ source: name, reason: 'unavailable' });
    } else {
      // A bug, not an outage: keep the body so it can be replayed once fixed (the sender may give up).
      const reason = `ingest failed: ${(err as Error)?.message ?? String(err)}`;
      await keepDeadLetter(deps, c, { reason, statusCode: 500, body }, now);
    }
    throw err;
  }
  if (outcome.kind === 'invalid') {
    span.setAttribute('incidentd.alert_count', 0);
    metrics.alertsRejected.inc({ source: name, reason: 'invalid' });
    const id = await keepDeadLetter(deps, c, { reason: outcome.message, statusCode: 400, body }, now);
    return c.json({ error: 'invalid', message: outcome.message, dead_letter_id: id }, 400);
  }
  span.setAttribute('incidentd.alert_count', outcome.result.accepted);
  span.setAttribute('incidentd.incident_ids', outcome.result.incidents);
  metrics.ingestDuration.observe({ source: name }, (performance.now() - started) / 1000);
  return c.json(outcome.result, 200);
}
