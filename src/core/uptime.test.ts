import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startOfLocalDay } from './local-time.ts';
import { type StatusInterval, UPTIME_RULE, uptimeBars } from './uptime.ts';

const iv = (status: StatusInterval['status'], start: string, end: string | null): StatusInterval => ({
  componentId: 'api',
  status,
  startedAt: new Date(start),
  endedAt: end ? new Date(end) : null,
});

describe('startOfLocalDay', () => {
  it('finds local midnight, across DST changes', () => {
    expect(new Date(startOfLocalDay({ y: 2026, m: 3, d: 29 }, 'Europe/Berlin')).toISOString()).toBe(
      '2026-03-28T23:00:00.000Z',
    );
    expect(new Date(startOfLocalDay({ y: 2026, m: 3, d: 30 }, 'Europe/Berlin')).toISOString()).toBe(
      '2026-03-29T22:00:00.000Z',
    );
    expect(new Date(startOfLocalDay({ y: 2026, m: 11, d: 2 }, 'America/New_York')).toISOString()).toBe(
      '2026-11-02T05:00:00.000Z',
    );
    expect(new Date(startOfLocalDay({ y: 2026, m: 1, d: 1 }, 'UTC')).toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });
  it('handles zones where midnight does not exist (America/Santiago 2024-09-08)', () => {
    // Clocks jumped from 00:00 to 01:00 local: the day starts at 04:00Z.
    expect(new Date(startOfLocalDay({ y: 2024, m: 9, d: 8 }, 'America/Santiago')).toISOString()).toBe(
      '2024-09-08T04:00:00.000Z',
    );
  });
});

describe('uptimeBars', () => {
  const now = new Date('2026-04-10T12:00:00Z');

  it('returns 90 days ending today, DST days 23h long, with no data before the component existed', () => {
    const u = uptimeBars({
      componentId: 'api',
      intervals: [iv('operational', '2026-03-01T00:00:00Z', null)],
      timeZone: 'Europe/Berlin',
      now,
    });
    expect(u.days).toHaveLength(90);
    expect(u.days.at(-1)!.date).toBe('2026-04-10');
    const dst = u.days.find((d) => d.date === '2026-03-29')!;
    expect(dst.endsAt.getTime() - dst.startsAt.getTime()).toBe(23 * 3_600_000);
    expect(u.days[0]!.noData).toBe(true);
    expect(u.days[0]!.worst).toBeNull();
    const first = u.days.find((d) => d.date === '2026-03-01')!;
    expect(first.noData).toBe(false);
    expect(first.uptimePercent).toBe(100);
    expect(u.uptimePercent).toBe(100);
    expect(u.rule).toBe(UPTIME_RULE);
  });

  it('weights major 100%, partial 30%, degraded 0, excludes maintenance', () => {
    const u = uptimeBars({
      componentId: 'api',
      intervals: [
        iv('operational', '2026-04-01T00:00:00Z', null),
        iv('major_outage', '2026-04-05T10:00:00Z', '2026-04-05T11:00:00Z'),
        iv('partial_outage', '2026-04-05T12:00:00Z', '2026-04-05T14:00:00Z'),
        iv('degraded_performance', '2026-04-05T15:00:00Z', '2026-04-05T16:00:00Z'),
        iv('under_maintenance', '2026-04-06T00:00:00Z', '2026-04-07T00:00:00Z'),
        { ...iv('major_outage', '2026-04-05T10:00:00Z', null), componentId: 'db' },
      ],
      timeZone: 'UTC',
      now,
      incidents: [
        {
          id: 'i1',
          title: 'API down',
          components: ['api'],
          openedAt: new Date('2026-04-05T10:00:00Z'),
          resolvedAt: new Date('2026-04-05T11:00:00Z'),
        },
      ],
    });
    const d5 = u.days.find((d) => d.date === '2026-04-05')!;
    expect(d5.worst).toBe('major_outage');
    expect(d5.minutes).toEqual({
      major_outage: 60,
      partial_outage: 120,
      degraded_performance: 60,
      under_maintenance: 0,
    });
    expect(d5.downtimeMinutes).toBe(96);
    expect(d5.uptimePercent).toBe(Math.floor((1 - 96 / 1440) * 10000) / 100);
    expect(d5.incidents).toEqual([{ id: 'i1', title: 'API down' }]);
    const d6 = u.days.find((d) => d.date === '2026-04-06')!;
    expect(d6.worst).toBe('under_maintenance');
    expect(d6.uptimePercent).toBeNull();
    // Measured: Apr 1..10 12:00 minus 1 maintenance day = 8.5 days.
    expect(u.uptimePercent).toBe(Math.floor((1 - 96 / (8.5 * 1440)) * 10000) / 100);
  });

  it('takes the worst status where intervals overlap and treats open intervals as lasting until now', () => {
    const u = uptimeBars({
      componentId: 'api',
      intervals: [
        iv('partial_outage', '2026-04-10T00:00:00Z', null),
        iv('major_outage', '2026-04-10T06:00:00Z', '2026-04-10T07:00:00Z'),
      ],
      timeZone: 'UTC',
      now,
    });
    const today = u.days.at(-1)!;
    expect(today.minutes.major_outage).toBe(60);
    expect(today.minutes.partial_outage).toBe(11 * 60);
  });

  it('has all days without data when the component start is unknown', () => {
    const u = uptimeBars({ componentId: 'api', intervals: [], timeZone: 'UTC', now });
    expect(u.days.every((d) => d.noData)).toBe(true);
    expect(u.uptimePercent).toBeNull();
  });

  it('property: uptime stays within 0..100 and days tile time without gaps', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.array(
          fc.record({
            status: fc.constantFrom(
              'operational',
              'under_maintenance',
              'degraded_performance',
              'partial_outage',
              'major_outage',
            ),
            start: fc.integer({ min: 0, max: 100 * 24 * 60 }),
            len: fc.integer({ min: 1, max: 5 * 24 * 60 }),
          }),
          { maxLength: 8 },
        ),
        (timeZone, raw) => {
          const base = now.getTime() - 100 * 86_400_000;
          const intervals = raw.map((r) => ({
            componentId: 'api',
            status: r.status as StatusInterval['status'],
            startedAt: new Date(base + r.start * 60_000),
            endedAt: new Date(base + (r.start + r.len) * 60_000),
          }));
          const u = uptimeBars({ componentId: 'api', intervals, timeZone, now, existsSince: new Date(base) });
          for (let i = 1; i < u.days.length; i++) {
            expect(u.days[i]!.startsAt.getTime()).toBe(u.days[i - 1]!.endsAt.getTime());
          }
          for (const d of u.days) {
            if (d.uptimePercent !== null) {
              expect(d.uptimePercent).toBeGreaterThanOrEqual(0);
              expect(d.uptimePercent).toBeLessThanOrEqual(100);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
