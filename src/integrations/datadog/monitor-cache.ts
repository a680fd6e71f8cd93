import type { Clock } from '../../pipeline/ports.ts';
import type { DatadogResult } from './api.ts';
import type { MonitorFacts } from './monitor-labels.ts';

export interface MonitorCacheOptions {
  ttlMs: number;
  /** A 404 (deleted monitor, or one the keys cannot see) is remembered as "no monitor" this long. */
  notFoundTtlMs: number;
  /** Other failures are remembered briefly, so a Datadog outage does not cost every webhook a round trip. */
  errorTtlMs: number;
  maxEntries: number;
}

const DEFAULT_MONITOR_CACHE: MonitorCacheOptions = {
  ttlMs: 5 * 60_000,
  notFoundTtlMs: 5 * 60_000,
  errorTtlMs: 30_000,
  maxEntries: 2000,
};

type Entry = { at: number; ttl: number; monitor: MonitorFacts | null };

/**
 * Monitors by id, fetched once per TTL: concurrent look-ups of one id share one request, the map is bounded
 * (least recently used goes first), and "not found" and errors are cached too (shorter for errors).
 * A look-up resolves to null when there is no usable monitor.
 */
export function createMonitorCache(
  fetchMonitor: (id: number) => Promise<DatadogResult<MonitorFacts>>,
  clock: Clock,
  options: Partial<MonitorCacheOptions> = {},
) {
  const opts = { ...DEFAULT_MONITOR_CACHE, ...options };
  const entries = new Map<number, Entry>();
  const inflight = new Map<number, Promise<MonitorFacts | null>>();

  const put = (id: number, entry: Entry) => {
    entries.delete(id);
    entries.set(id, entry);
    while (entries.size > opts.maxEntries) entries.delete(entries.keys().next().value!);
  };

  return {
    async get(id: number): Promise<MonitorFacts | null> {
      const now = clock.now().getTime();
      const hit = entries.get(id);
      if (hit && now - hit.at < hit.ttl) {
        // Map order is recency order: move the hit to the back.
        entries.delete(id);
        entries.set(id, hit);
        return hit.monitor;
      }
      const running = inflight.get(id);
      if (running) return running;
      const request = fetchMonitor(id)
        .then((result) => {
          const at = clock.now().getTime();
          if (result.ok) put(id, { at, ttl: opts.ttlMs, monitor: result.value });
          else if (result.outcome === 'not_found') put(id, { at, ttl: opts.notFoundTtlMs, monitor: null });
          else put(id, { at, ttl: opts.errorTtlMs, monitor: null });
          return result.ok ? result.value : null;
        })
        .finally(() => inflight.delete(id));
      inflight.set(id, request);
      return request;
    },
    size: () => entries.size,
  };
}

export type MonitorCache = ReturnType<typeof createMonitorCache>;
