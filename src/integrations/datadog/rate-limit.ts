/** Bounds for a server-requested wait: never hammer (≥ 1 s), never park a notice for longer than an hour. */
const MIN_MS = 1000;
const MAX_MS = 3_600_000;

/**
 * How long to wait after a Datadog 429, from its rate-limit headers (names in any case):
 * `X-RateLimit-Reset` (seconds until the window resets), else `X-RateLimit-Period` (the window length,
 * an upper bound), else the standard `Retry-After` in seconds. Null when none is usable, so the caller
 * falls back to its own backoff.
 */
export function rateLimitDelayMs(headers: Readonly<Record<string, string>>): number | null {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  for (const name of ['x-ratelimit-reset', 'x-ratelimit-period', 'retry-after']) {
    const raw = lower.get(name)?.trim();
    if (!raw || !/^\d+(\.\d+)?$/.test(raw)) continue;
    const ms = Math.ceil(Number(raw) * 1000);
    return Math.min(MAX_MS, Math.max(MIN_MS, ms));
  }
  return null;
}
