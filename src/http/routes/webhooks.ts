import { context, propagation, type Span, SpanKind } from '@opentelemetry/api';
import { type Context, Hono } from 'hono';
import { verifyBody, type WebhookDeps } from '../../pipeline/process-webhook.ts';
import { findSource, unknownSource } from '../../sources/find-source.ts';
import { decodeWebhookBody } from '../../sources/form-body.ts';
import type { Source } from '../../sources/source.ts';
import { tracer } from '../../telemetry/tracing.ts';
import type { AppDeps } from '../app-deps.ts';
import { journalAndProcess, keepDeadLetter, noteAborted, readIntakeBody } from '../intake-request.ts';
import { hasToken, unauthorized } from '../middleware/require-token.ts';

/** `/webhooks/custom/:name`: a catalog source, stored as `custom/<name>`. */
const sourceOf = (c: Context) => c.req.param('source') ?? `custom/${c.req.param('name')}`;

/**
 * `POST /webhooks/:source` and `POST /webhooks/custom/:name`: authenticate, bound, verify, decode (form bodies),
 * journal and process (intake-request.ts, shared with the Prometheus and PagerDuty routes), answer.
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
          noteAborted(deps, name, err);
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
  const read = await readIntakeBody(deps, c, name, now);
  if (!read.ok)
    return c.json({ error: read.error, message: read.message, dead_letter_id: read.deadLetterId }, 413);
  const { bytes } = read;
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
      name,
      { reason: decoded.error, statusCode: decoded.status, body: bytes },
      now,
    );
    const error = decoded.status === 415 ? 'unsupported_media_type' : 'invalid';
    return c.json({ error, message: decoded.error, dead_letter_id: id }, decoded.status);
  }
  const outcome = await journalAndProcess(deps, webhook, c, source, decoded.bytes, now);
  if (outcome.kind === 'invalid') {
    span.setAttribute('incidentd.alert_count', 0);
    return c.json({ error: 'invalid', message: outcome.message, dead_letter_id: outcome.deadLetterId }, 400);
  }
  span.setAttribute('incidentd.alert_count', outcome.result.accepted);
  span.setAttribute('incidentd.incident_ids', outcome.result.incidents);
  metrics.ingestDuration.observe({ source: name }, (performance.now() - started) / 1000);
  return c.json(outcome.result, 200);
}
