import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../pipeline/ports.ts';
import type { DatadogResult } from './api.ts';
import { createMonitorCache } from './monitor-cache.ts';
import type { MonitorFacts } from './monitor-labels.ts';

const facts = (id: number): MonitorFacts => ({
  id,
  name: `m${id}`,
  tags: [],
  priority: null,
  overallState: 'OK',
});

function fake(answer: (id: number) => DatadogResult<MonitorFacts>) {
  const calls: number[] = [];
  return {
    calls,
    fetch: async (id: number) => {
      calls.push(id);
      await new Promise((r) => setTimeout(r, 5));
      return answer(id);
    },
  };
}

const fail = (outcome: 'not_found' | 'server_error'): DatadogResult<MonitorFacts> => ({
  ok: false,
  outcome,
  status: outcome === 'not_found' ? 404 : 500,
  message: 'x',
  retryAfterMs: null,
});

describe('monitor cache', () => {
  it('fetches once per TTL and shares concurrent look-ups', async () => {
    const clock = new ManualClock();
    const api = fake((id) => ({ ok: true, value: facts(id) }));
    const cache = createMonitorCache(api.fetch, clock, { ttlMs: 60_000 });
    const [a, b] = await Promise.all([cache.get(1), cache.get(1)]);
    expect(a).toEqual(facts(1));
    expect(b).toBe(a);
    clock.advance(59_000);
    await cache.get(1);
    expect(api.calls).toEqual([1]);
    clock.advance(2000);
    await cache.get(1);
    expect(api.calls).toEqual([1, 1]);
  });

  it('caches a 404 as no monitor, and errors only briefly', async () => {
    const clock = new ManualClock();
    const api = fake((id) => fail(id === 404 ? 'not_found' : 'server_error'));
    const cache = createMonitorCache(api.fetch, clock, { notFoundTtlMs: 300_000, errorTtlMs: 10_000 });
    expect(await cache.get(404)).toBeNull();
    expect(await cache.get(500)).toBeNull();
    clock.advance(20_000);
    expect(await cache.get(404)).toBeNull();
    expect(await cache.get(500)).toBeNull();
    expect(api.calls).toEqual([404, 500, 500]);
  });

  it('is bounded, dropping the least recently used', async () => {
    const clock = new ManualClock();
    const api = fake((id) => ({ ok: true, value: facts(id) }));
    const cache = createMonitorCache(api.fetch, clock, { maxEntries: 2 });
    await cache.get(1);
    await cache.get(2);
    await cache.get(1); // 1 is now the most recent
    await cache.get(3); // evicts 2
    expect(cache.size()).toBe(2);
    await cache.get(1);
    await cache.get(2);
    expect(api.calls).toEqual([1, 2, 3, 2]);
  });
});
