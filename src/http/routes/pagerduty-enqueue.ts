import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { type FindAlert, pagerdutyEnrich } from '../../pipeline/pagerduty-events.ts';
import type { WebhookDeps } from '../../pipeline/process-webhook.ts';
import { pagerdutySource } from '../../sources/pagerduty/pagerduty-source.ts';
import { PAGERDUTY_SOURCE } from '../../sources/pagerduty/to-raw.ts';
import { annotateAlert, findAlertByFingerprint } from '../../store/alert-queries.ts';
import type { AppDeps } from '../app-deps.ts';
import { journalAndProcess, noteAborted, readIntakeBody } from '../intake-request.ts';

/** PagerDuty's error answer: `{"status":"invalid event","message":"Event object is invalid","errors":[…]}`. */
function invalidEvent(
  c: Context,
  errors: string[],
  status: 400 | 413 = 400,
  extra: Record<string, unknown> = {},
) {
  return c.json({ status: 'invalid event', message: 'Event object is invalid', errors, ...extra }, status);
}

/** Constant-time lookup of a presented routing key among the catalog's. */
function routingKeyOf(keys: readonly { key: string; labels: Record<string, string> }[], presented: unknown) {
  if (typeof presented !== 'string') return undefined;
  const given = Buffer.from(presented);
  let found: (typeof keys)[number] | undefined;
  for (const entry of keys) {
    const known = Buffer.from(entry.key);
    if (known.length === given.length && timingSafeEqual(known, given)) found = entry;
  }
  return found;
}

/**
 * `POST /v2/enqueue`: PagerDuty Events API v2 alert events, so any tool that pages PagerDuty can page incidentd by
 * changing the URL. The credential is the body's `routing_key`, one of the catalog's `pagerduty_routing_keys`;
 * an unknown one is a 400 (as PagerDuty answers) and nothing is stored. Accepted: 202 with the `dedup_key`.
 */
export function pagerdutyEnqueueRoutes(deps: AppDeps, webhook: WebhookDeps): Hono {
  const app = new Hono();
  const keys = deps.config.catalog.pagerduty_routing_keys ?? [];
  const find: FindAlert = (fingerprint) =>
    findAlertByFingerprint(deps.store.db, PAGERDUTY_SOURCE, fingerprint);
  const enqueue = async (c: Context) => {
    const started = performance.now();
    const now = deps.clock.now();
    const read = await readIntakeBody(deps, c, PAGERDUTY_SOURCE, now);
    if (!read.ok) return invalidEvent(c, [read.message], 413, { dead_letter_id: read.deadLetterId });
    let event: unknown;
    try {
      event = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(read.bytes));
    } catch (err) {
      // No routing key can be read from it: refused like an unknown key, without storing anything.
      deps.metrics.alertsRejected.inc({ source: PAGERDUTY_SOURCE, reason: 'invalid' });
      return invalidEvent(c, [`body: invalid JSON (${(err as Error).message})`]);
    }
    const fields =
      event !== null && typeof event === 'object' && !Array.isArray(event)
        ? (event as Record<string, unknown>)
        : null;
    const routing = routingKeyOf(keys, fields?.routing_key);
    if (!fields || !routing) {
      deps.metrics.alertsRejected.inc({ source: PAGERDUTY_SOURCE, reason: 'unauthorized' });
      // PagerDuty's own wording for these two (seen in its 400 answers).
      const present = typeof fields?.routing_key === 'string' && fields.routing_key !== '';
      return invalidEvent(c, [present ? 'Invalid routing key' : "'routing_key' is missing or blank"]);
    }
    // PagerDuty makes up a dedup_key for a trigger without one and answers it: written into the body before it is
    // journaled, so a replay of the body is the same alert.
    let bytes = read.bytes;
    let dedupKey = fields.dedup_key;
    if (
      fields.event_action === 'trigger' &&
      (dedupKey === undefined || dedupKey === null || dedupKey === '')
    ) {
      dedupKey = randomUUID().replaceAll('-', '');
      bytes = new TextEncoder().encode(JSON.stringify({ ...fields, dedup_key: dedupKey }));
    }
    const routed: WebhookDeps = {
      ...webhook,
      ingest: { ...webhook.ingest, enrich: pagerdutyEnrich(routing.labels, find, webhook.ingest.enrich) },
    };
    const outcome = await journalAndProcess(deps, routed, c, pagerdutySource, bytes, now);
    if (outcome.kind !== 'accepted')
      return invalidEvent(c, [outcome.message], 400, { dead_letter_id: outcome.deadLetterId });
    deps.metrics.ingestDuration.observe({ source: PAGERDUTY_SOURCE }, (performance.now() - started) / 1000);
    // An acknowledge changes no alert state (a repeat moves only last seen): record it on the alert itself.
    if (fields.event_action === 'acknowledge' && outcome.result.accepted > 0 && typeof dedupKey === 'string')
      await annotateAlert(deps.store.db, PAGERDUTY_SOURCE, dedupKey, {
        pagerduty_acknowledged_at: now.toISOString(),
      });
    return c.json(
      { status: 'success', message: 'Event processed', dedup_key: dedupKey, ...outcome.result },
      202,
    );
  };
  app.post('/v2/enqueue', async (c) => {
    try {
      return await enqueue(c);
    } catch (err) {
      noteAborted(deps, PAGERDUTY_SOURCE, err);
      throw err;
    }
  });
  return app;
}
