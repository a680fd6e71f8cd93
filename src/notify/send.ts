import type { Notice } from '../core/notification-routing.ts';

/**
 * One HTTP delivery attempt; `ok` only on a 2xx. Never throws. `retryAfterMs`: the receiver said when to
 * come back (a rate limit's reset), used instead of the usual backoff.
 */
export type SendResult = { ok: true; status: number } | { ok: false; error: string; retryAfterMs?: number };

export type Sender = (url: string, body: unknown) => Promise<SendResult>;

/** One claimed outbox row, as a sender for a target type with its own client (datadog) sees it. */
export interface OutboxDelivery {
  id: number;
  incidentId: string | null;
  /** 1 on the first try; more means an earlier attempt's outcome may be unknown. */
  attempts: number;
  notice: Notice;
}

/** Delivers to a target type that is not a plain JSON POST to the target's URL. Never throws. */
export type NoticeSender = (delivery: OutboxDelivery) => Promise<SendResult>;

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
      return { ok: false, error: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}` };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError') return { ok: false, error: `timed out after ${opts.timeoutMs} ms` };
      return { ok: false, error: e.cause?.code ?? e.cause?.message ?? e.message };
    }
  };
}
