import type { Notice, NotificationTarget } from '../core/notification-routing.ts';

/**
 * One delivery attempt; `ok` only on a 2xx (or when there was nothing to send: `skipped` says why). Never
 * throws. `retryAfterMs`: the receiver said when to come back (a rate limit's reset, `Retry-After`), used
 * instead of the usual backoff. `final`: retrying cannot help (a 4xx other than 408 and 429).
 */
export type SendResult =
  | { ok: true; status: number; skipped?: string }
  | { ok: false; error: string; retryAfterMs?: number; final?: boolean };

export type Sender = (url: string, body: unknown) => Promise<SendResult>;

/** One claimed outbox row, as a sender for a target type with its own client (datadog, slack bot) sees it. */
export interface OutboxDelivery {
  id: number;
  incidentId: string | null;
  /** 1 on the first try; more means an earlier attempt's outcome may be unknown. */
  attempts: number;
  notice: Notice;
  /** The catalog target the row is for. */
  target: NotificationTarget;
}

/** Delivers to a target that is not a plain JSON POST to the target's URL. Never throws. */
export type NoticeSender = (delivery: OutboxDelivery) => Promise<SendResult>;

/**
 * `Retry-After` in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or
 * unreadable.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** 408 (timeout) and 429 (rate limit) are worth retrying; another 4xx means the receiver rejects the message. */
const retryable4xx = new Set([408, 425, 429]);

/** POSTs JSON with global fetch, bounded by a timeout so a hanging receiver cannot stall the outbox. */
export function createHttpSender(opts: { timeoutMs: number; userAgent?: string }): Sender {
  return async (url, body) => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': opts.userAgent ?? 'incidentd' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      const text = await res.text().catch(() => '');
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now());
      return {
        ok: false,
        error: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
        ...(retryAfterMs !== null && (res.status === 429 || res.status >= 500) ? { retryAfterMs } : {}),
        ...(res.status >= 400 && res.status < 500 && !retryable4xx.has(res.status) ? { final: true } : {}),
      };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError') return { ok: false, error: `timed out after ${opts.timeoutMs} ms` };
      return { ok: false, error: e.cause?.code ?? e.cause?.message ?? e.message };
    }
  };
}
