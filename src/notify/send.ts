/** One HTTP delivery attempt; `ok` only on a 2xx. Never throws. */
export type SendResult = { ok: true; status: number } | { ok: false; error: string };

export type Sender = (url: string, body: unknown) => Promise<SendResult>;

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
