import { context, propagation, type Span, SpanKind } from '@opentelemetry/api';
import { type Context, Hono } from 'hono';
import { processWebhookBody, verifyBody, type WebhookDeps } from '../../pipeline/process-webhook.ts';
import { sources } from '../../sources/registry.ts';
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
  const source = c.req.param('source')!;
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

/** `POST /webhooks/:source`: authenticate, bound, verify, process (pipeline/process-webhook.ts), answer. */
export function webhookRoutes(deps: AppDeps, webhook: WebhookDeps): Hono {
  const app = new Hono();
  const { metrics } = deps;
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
    const parent = propagation.extract(context.active(), c.req.header());
    return tracer().startActiveSpan(
      `webhook ${name}`,
      { kind: SpanKind.SERVER, attributes: { 'incidentd.source': name } },
      parent,
      async (span) => {
        try {
          return await receive(deps, webhook, c, span);
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
  });
  return app;
}

async function receive(deps: AppDeps, webhook: WebhookDeps, c: Context, span: Span): Promise<Response> {
  const { metrics, config } = deps;
  const name = c.req.param('source')!;
  const source = sources[name]!;
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
  // Intake journal (embedded PGlite on disk): the body is fdatasync'ed before it can be acknowledged.
  await deps.journal?.append(c.req.raw, {
    source: name,
    headers: keptHeaders((h) => c.req.header(h)),
    receivedAt: now,
    body: bytes,
  });
  let outcome: Awaited<ReturnType<typeof processWebhookBody>>;
  try {
    outcome = await processWebhookBody(webhook, source, bytes);
  } catch (err) {
    if (isDatabaseUnavailable(err)) {
      metrics.alertsRejected.inc({ source: name, reason: 'unavailable' });
    } else {
      // A bug, not an outage: keep the body so it can be replayed once fixed (the sender may give up).
      const reason = `ingest failed: ${(err as Error)?.message ?? String(err)}`;
      await keepDeadLetter(deps, c, { reason, statusCode: 500, body: bytes }, now);
    }
    throw err;
  }
  if (outcome.kind === 'invalid') {
    span.setAttribute('incidentd.alert_count', 0);
    metrics.alertsRejected.inc({ source: name, reason: 'invalid' });
    const id = await keepDeadLetter(deps, c, { reason: outcome.message, statusCode: 400, body: bytes }, now);
    return c.json({ error: 'invalid', message: outcome.message, dead_letter_id: id }, 400);
  }
  span.setAttribute('incidentd.alert_count', outcome.result.accepted);
  span.setAttribute('incidentd.incident_ids', outcome.result.incidents);
  metrics.ingestDuration.observe({ source: name }, (performance.now() - started) / 1000);
  return c.json(outcome.result, 200);
}
