import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../pipeline/ports.ts';
import { errorHandler } from './errors.ts';
import { createOutageLog } from './outage-log.ts';

function fakeLogger() {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, msg, ...(fields ? { fields } : {}) });
    };
  return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/** Scheduled callbacks run when the test says so. */
function manualSchedule() {
  const pending: (() => void)[] = [];
  return {
    schedule: (fn: () => void) => {
      pending.push(fn);
      return () => pending.splice(pending.indexOf(fn), 1);
    },
    async runNext() {
      const fn = pending.shift();
      expect(fn, 'a scheduled ping').toBeDefined();
      await fn!();
      await new Promise((r) => setImmediate(r));
    },
    pending,
  };
}

const unavailable = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('database outage log', () => {
  it('logs the start, then one line per 10 s with the count of suppressed ones, then the recovery', async () => {
    const { lines, log } = fakeLogger();
    const clock = new ManualClock(new Date('2026-11-29T12:00:00Z'));
    const timers = manualSchedule();
    let up = false;
    const outage = createOutageLog({ log, clock, ping: async () => up, schedule: timers.schedule });

    for (let i = 0; i < 100; i++) {
      outage.failure({ path: '/webhooks/alertmanager' });
      clock.advance(99); // 100 failures over 9.9 s
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'database unavailable' });

    clock.advance(100); // 10 s after the first line
    outage.failure({ path: '/api/v1/incidents' });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      level: 'warn',
      msg: 'database unavailable',
      fields: { path: '/api/v1/incidents', suppressed: 99, since: '2026-11-29T12:00:00.000Z' },
    });
    outage.failure({ path: '/x' });
    expect(lines).toHaveLength(2);

    // Still down: the ping says so and nothing is logged; one ping is pending at a time.
    await timers.runNext();
    expect(lines).toHaveLength(2);
    expect(timers.pending).toHaveLength(1);
    up = true;
    clock.advance(5_000);
    await timers.runNext();
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({
      level: 'info',
      msg: 'database available again',
      fields: { down_for_ms: 15_000, failed_requests: 102 },
    });
    expect(timers.pending).toHaveLength(0);

    // The next outage is logged at once again.
    outage.failure({ path: '/again' });
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatchObject({ msg: 'database unavailable', fields: { path: '/again' } });
    outage.close();
    expect(timers.pending).toHaveLength(0);
  });

  it('is what the error handler logs through: 503 every time, one warning', async () => {
    const { lines, log } = fakeLogger();
    const clock = new ManualClock(new Date('2026-11-29T12:00:00Z'));
    const timers = manualSchedule();
    const outage = createOutageLog({ log, clock, ping: async () => false, schedule: timers.schedule });
    const app = new Hono();
    app.onError(errorHandler(log, outage));
    app.get('/db', () => {
      throw unavailable();
    });
    for (let i = 0; i < 50; i++) {
      const res = await app.request('/db');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
    }
    expect(lines.map((l) => l.msg)).toEqual(['database unavailable']);
  });
});
