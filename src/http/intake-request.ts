import type { Context } from 'hono';
import type { IngestDeps } from '../pipeline/ingest.ts';
import { insertDeadLetter, keptHeaders } from '../store/dead-letters.ts';
import { isDatabaseUnavailable } from '../store/errors.ts';
import type { AppDeps } from './app-deps.ts';
import { ClientAbortedError, readBodyLimited } from './read-body.ts';
import { processWebhookBody } from './routes/webhooks.ts';

/** Of an oversized body, this much is kept as its dead letter (as for the webhooks). */
const KEPT_OF_OVERSIZED = 64 * 1024;

export type IntakeOutcome =
  | { kind: 'accepted'; body: Record<string, unknown> }
  | { kind: 'too_large' | 'invalid'; message: string; deadLetterId: number | null };

/**
 * The webhook route's intake for the sender-compatible routes (`POST /api/v2/alerts`, `POST /v2/enqueue`):
 * read the body within the size limit, journal it, process it like a webhook body, and keep a rejected body
 * as a dead letter. Authentication is the caller's, before; the answer's shape is the caller's, after.
 */
export function createIntake(deps: AppDeps, source: string) {
  const { metrics, log, config } = deps;
  const deadLetter = async (c: Context, reason: string, statusCode: number, body: Uint8Array, now: Date) => {
    try {
      const id = await insertDeadLetter(
        deps.store.db,
        {
          source,
          reason,
          statusCode,
          contentType: c.req.header('content-type') ?? null,
          headers: keptHeaders((h) => c.req.header(h)),
          body,
          keepBytes: config.deadLetterBodyBytes,
        },
        now,
      );
      metrics.deadLetters.inc({ source });
      return id;
    } catch (err) {
      log.error('could not keep dead letter', { source, reason, error: err });
      return null;
    }
  };
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof ClientAbortedError) {
        metrics.alertsRejected.inc({ source, reason: 'aborted' });
        log.info('client aborted', { source });
      } else if (isDatabaseUnavailable(err)) metrics.alertsRejected.inc({ source, reason: 'unavailable' });
      throw err;
    }
  };
  return {
    /** The body within INCIDENTD_MAX_BODY_BYTES; past it, its head is kept as a dead letter. */
    read: (c: Context) =>
      guard(async (): Promise<{ bytes: Uint8Array; now: Date } | (IntakeOutcome & { kind: 'too_large' })> => {
        const now = deps.clock.now();
        const { bytes, tooLarge } = await readBodyLimited(c.req.raw, config.maxBodyBytes);
        if (!tooLarge) return { bytes, now };
        const message = `body: larger than the limit of ${config.maxBodyBytes} bytes (INCIDENTD_MAX_BODY_BYTES)`;
        metrics.alertsRejected.inc({ source, reason: 'too_large' });
        const kept = bytes.subarray(0, KEPT_OF_OVERSIZED);
        const deadLetterId = await deadLetter(
          c,
          `${message}; first ${kept.byteLength} bytes kept`,
          413,
          kept,
          now,
        );
        return { kind: 'too_large', message, deadLetterId };
      }),
    /** Journal, then parse, dedup, correlate and commit: the webhook route's processing. */
    process: (c: Context, ingest: IngestDeps, bytes: Uint8Array, now: Date) =>
      guard(async (): Promise<IntakeOutcome> => {
        const started = performance.now();
        try {
          await deps.journal?.append(c.req.raw, {
            source,
            headers: keptHeaders((h) => c.req.header(h)),
            receivedAt: now,
            body: bytes,
          });
          const outcome = await processWebhookBody({ ingest, metrics, limits: config.limits }, source, bytes);
          if (outcome.status !== 200) {
            metrics.alertsRejected.inc({ source, reason: 'invalid' });
            const message = String(outcome.body.message);
            return {
              kind: 'invalid',
              message,
              deadLetterId: await deadLetter(c, message, outcome.status, bytes, now),
            };
          }
          metrics.ingestDuration.observe({ source }, (performance.now() - started) / 1000);
          return { kind: 'accepted', body: outcome.body };
        } finally {
          deps.journal?.release(c.req.raw);
        }
      }),
  };
}
