import type { Context } from 'hono';
import type { WebhookSource } from '../pipeline/ports.ts';
import { processWebhookBody, type WebhookDeps, type WebhookOutcome } from '../pipeline/process-webhook.ts';
import { insertDeadLetter, keptHeaders } from '../store/dead-letters.ts';
import { isDatabaseUnavailable } from '../store/errors.ts';
import type { AppDeps } from './app-deps.ts';
import { ClientAbortedError, readBodyLimited } from './read-body.ts';

/**
 * The intake steps every receiving route shares (`POST /webhooks/:source`, `POST /api/v2/alerts`,
 * `POST /v2/enqueue`): read the body within the size limit, keep refused or failed bodies as dead letters,
 * journal the body, then process it through the pipeline (pipeline/process-webhook.ts). Authentication,
 * verification and the answer's shape are each route's own.
 */
export type IntakeDeps = Pick<AppDeps, 'store' | 'config' | 'metrics' | 'log' | 'clock' | 'journal'>;

/**
 * Of a body over the limit, this much is kept as its dead letter: enough to see what it was, while a truncated
 * body could never be replayed anyway. Keeping the whole 5 MB prefix made each oversized delivery cost hundreds
 * of MB of transient memory in the embedded store.
 */
const KEPT_OF_OVERSIZED = 64 * 1024;

/** Keeps a refused or failed body for replay; never fails the request itself (null: could not keep it). */
export async function keepDeadLetter(
  deps: IntakeDeps,
  c: Context,
  source: string,
  entry: { reason: string; statusCode: number; body: Uint8Array },
  now: Date,
): Promise<number | null> {
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

export type IntakeRead =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; error: 'too_large'; message: string; deadLetterId: number | null };

/** The body within INCIDENTD_MAX_BODY_BYTES; past it, its head is kept as a dead letter (the caller answers 413). */
export async function readIntakeBody(
  deps: IntakeDeps,
  c: Context,
  source: string,
  now: Date,
): Promise<IntakeRead> {
  const { config, metrics } = deps;
  const { bytes, tooLarge } = await readBodyLimited(c.req.raw, config.maxBodyBytes);
  if (!tooLarge) return { ok: true, bytes };
  const message = `body: larger than the limit of ${config.maxBodyBytes} bytes (INCIDENTD_MAX_BODY_BYTES)`;
  metrics.alertsRejected.inc({ source, reason: 'too_large' });
  const kept = bytes.subarray(0, KEPT_OF_OVERSIZED);
  const reason = `${message}; first ${kept.byteLength} bytes kept`;
  const deadLetterId = await keepDeadLetter(deps, c, source, { reason, statusCode: 413, body: kept }, now);
  return { ok: false, error: 'too_large', message, deadLetterId };
}

export type IntakeOutcome =
  | Extract<WebhookOutcome, { kind: 'accepted' }>
  | { kind: 'invalid'; message: string; deadLetterId: number | null };

/**
 * Journal (embedded PGlite on disk: the body is fdatasync'ed before it can be acknowledged), then the pipeline.
 * A body the pipeline refuses is kept as a dead letter (400); one it fails on, other than for an unavailable
 * database, too (500: a bug, replayable once fixed), and the error goes on to the error handler.
 */
export async function journalAndProcess(
  deps: IntakeDeps,
  webhook: WebhookDeps,
  c: Context,
  source: WebhookSource,
  body: Uint8Array,
  now: Date,
): Promise<IntakeOutcome> {
  const name = source.name;
  await deps.journal?.append(c.req.raw, {
    source: name,
    headers: keptHeaders((h) => c.req.header(h)),
    receivedAt: now,
    body,
  });
  try {
    return await processOrKeep(deps, webhook, c, source, body, now);
  } finally {
    // Committed, refused or failed: the journal record no longer holds back a checkpoint.
    deps.journal?.release(c.req.raw);
  }
}

async function processOrKeep(
  deps: IntakeDeps,
  webhook: WebhookDeps,
  c: Context,
  source: WebhookSource,
  body: Uint8Array,
  now: Date,
): Promise<IntakeOutcome> {
  const { metrics } = deps;
  const name = source.name;
  let outcome: WebhookOutcome;
  try {
    outcome = await processWebhookBody(webhook, source, body);
  } catch (err) {
    if (isDatabaseUnavailable(err)) {
      metrics.alertsRejected.inc({ source: name, reason: 'unavailable' });
    } else {
      const reason = `ingest failed: ${(err as Error)?.message ?? String(err)}`;
      await keepDeadLetter(deps, c, name, { reason, statusCode: 500, body }, now);
    }
    throw err;
  }
  if (outcome.kind === 'accepted') return outcome;
  metrics.alertsRejected.inc({ source: name, reason: 'invalid' });
  const deadLetterId = await keepDeadLetter(
    deps,
    c,
    name,
    { reason: outcome.message, statusCode: 400, body },
    now,
  );
  return { kind: 'invalid', message: outcome.message, deadLetterId };
}

/** A sender that disconnects mid-body is not an outage: counted as reason aborted, logged at info. */
export function noteAborted(deps: Pick<AppDeps, 'metrics' | 'log'>, source: string, err: unknown): void {
  if (!(err instanceof ClientAbortedError)) return;
  deps.metrics.alertsRejected.inc({ source, reason: 'aborted' });
  deps.log.info('client aborted', { source });
}
