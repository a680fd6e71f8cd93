import { describe, expect, it } from 'vitest';
import {
  checkRecurrence,
  instantOf,
  isUnderMaintenance,
  MAX_OCCURRENCES,
  type MaintenanceSchedule,
  occurrences,
  windowStatus,
  windowsOf,
} from './maintenance-windows.ts';

const BERLIN = 'Europe/Berlin';
const H = 3_600_000;
const iso = (d: Date) => d.toISOString();

describe('recurring windows in the page time zone', () => {
  it('keeps 02:00 local across the spring-forward and fall-back changes in Europe/Berlin', () => {
    // Sundays 01:00 local for 1h; DST starts 2026-03-29 (02:00 → 03:00) and ends 2026-10-25 (03:00 → 02:00).
    const spring = occurrences(
      {
        rule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=1;BYMINUTE=0',
        durationMs: H,
        start: new Date('2026-03-01T00:00:00Z'),
      },
      BERLIN,
      new Date('2026-03-20T00:00:00Z'),
      3,
    );
    expect(spring.upcoming.map((w) => iso(w.start))).toEqual([
      '2026-03-22T00:00:00.000Z', // CET +01:00
      '2026-03-29T00:00:00.000Z', // still CET at 01:00
      '2026-04-04T23:00:00.000Z', // CEST +02:00: Saturday 23:00 UTC
    ]);
    const autumn = occurrences(
      { rule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=4', durationMs: H, start: new Date('2026-10-01T00:00:00Z') },
      BERLIN,
      new Date('2026-10-17T00:00:00Z'),
      2,
    );
    expect(autumn.upcoming.map((w) => iso(w.start))).toEqual([
      '2026-10-18T02:00:00.000Z',
      '2026-10-25T03:00:00.000Z',
    ]);
  });

  it('moves a wall time inside the spring gap forward, and takes the first of an ambiguous autumn hour', () => {
    const gap = occurrences(
      {
        rule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=30',
        durationMs: H,
        start: new Date('2026-03-01T00:00:00Z'),
      },
      BERLIN,
      new Date('2026-03-27T00:00:00Z'),
      1,
    );
    // 02:30 does not exist on 2026-03-29: 03:30 CEST.
    expect(iso(gap.upcoming[0]!.start)).toBe('2026-03-29T01:30:00.000Z');
    // 02:30 happens twice on 2026-10-25: the first one (CEST).
    expect(instantOf(Date.UTC(2026, 9, 25, 2, 30), BERLIN)).toBe(Date.parse('2026-10-25T00:30:00Z'));
  });

  it('reports the occurrence under way and the next ones, bounded by count and MAX_OCCURRENCES', () => {
    const r = { rule: 'FREQ=DAILY;BYHOUR=2', durationMs: 2 * H, start: new Date('2026-01-01T00:00:00Z') };
    const during = occurrences(r, 'Etc/UTC', new Date('2026-02-10T03:00:00Z'), 2);
    expect(iso(during.active!.start)).toBe('2026-02-10T02:00:00.000Z');
    expect(during.upcoming.map((w) => iso(w.start))).toEqual([
      '2026-02-11T02:00:00.000Z',
      '2026-02-12T02:00:00.000Z',
    ]);
    expect(iso(during.previous!.end)).toBe('2026-02-09T04:00:00.000Z');
    expect(occurrences(r, 'Etc/UTC', new Date('2026-02-10T03:00:00Z'), 10_000).upcoming).toHaveLength(
      MAX_OCCURRENCES,
    );
  });

  it('refuses, quickly, rules with no day, no future occurrence, or parts it cannot bound', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const check = (rule: string, durationMs = H, from = now) =>
      checkRecurrence({ rule, durationMs }, from, BERLIN, now);
    const started = performance.now();
    // rrule alone walks to year 9999 on these (tens of seconds for DAILY).
    expect(check('FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30')).toEqual({
      ok: false,
      field: 'recurrence',
      message: 'the rule matches no day',
    });
    expect(check('FREQ=WEEKLY;BYMONTH=4;BYMONTHDAY=31;BYDAY=MO')).toMatchObject({
      ok: false,
      field: 'recurrence',
    });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(check('FREQ=DAILY;COUNT=3', H, new Date('2020-01-01T00:00:00Z'))).toEqual({
      ok: false,
      field: 'recurrence',
      message: 'the rule has no future occurrence (looked 2 years ahead)',
    });
    expect(check('FREQ=WEEKLY;UNTIL=20260101T000000Z')).toMatchObject({ ok: false, field: 'recurrence' });
    expect(check('FREQ=SECONDLY')).toMatchObject({
      ok: false,
      message: expect.stringContaining('FREQ must be'),
    });
    expect(check('FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO')).toMatchObject({
      ok: false,
      message: expect.stringContaining('BYSETPOS'),
    });
    expect(check('FREQ=MONTHLY;BYDAY=6MO')).toMatchObject({ ok: false, field: 'recurrence' });
    expect(check('BYDAY=MO')).toMatchObject({ ok: false, message: 'FREQ is required' });
    expect(check('FREQ=WEEKLY;BYDAY=SU', 0)).toMatchObject({ ok: false, field: 'duration' });
    // Feb 29 on a Monday is a real day (2044), but beyond the 2-year horizon: refused, bounded, not a walk to 9999.
    expect(check('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO')).toMatchObject({
      ok: false,
      field: 'recurrence',
    });
    expect(check('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29')).toEqual({ ok: true }); // 2028
    expect(check('FREQ=MONTHLY;BYDAY=1SU;BYHOUR=3')).toEqual({ ok: true });
  });
});

describe('status and muting', () => {
  const w = { start: new Date('2026-05-01T10:00:00Z'), end: new Date('2026-05-01T12:00:00Z') };
  it('derives scheduled, in_progress, completed from the clock, and follows explicit updates', () => {
    expect(windowStatus(w, [], new Date('2026-05-01T09:00:00Z'))).toBe('scheduled');
    expect(windowStatus(w, [], new Date('2026-05-01T10:00:00Z'))).toBe('in_progress');
    expect(windowStatus(w, [], new Date('2026-05-01T12:00:00Z'))).toBe('completed');
    const verifying = [{ status: 'verifying' as const, at: new Date('2026-05-01T11:00:00Z') }];
    expect(windowStatus(w, verifying, new Date('2026-05-01T11:30:00Z'))).toBe('verifying');
    expect(windowStatus(w, verifying, new Date('2026-05-01T10:30:00Z'))).toBe('in_progress');
    const started = [{ status: 'in_progress' as const, at: new Date('2026-05-01T09:50:00Z') }];
    expect(windowStatus(w, started, new Date('2026-05-01T09:55:00Z'))).toBe('in_progress');
    expect(windowStatus(w, [], new Date('2026-05-01T09:00:00Z'), new Date('2026-05-01T08:00:00Z'))).toBe(
      'completed',
    );
  });

  it('isUnderMaintenance: every component under a live window, naming the maintenance', () => {
    const ms: MaintenanceSchedule[] = [
      { id: 'm1', components: ['api', 'db'], scheduledFor: w.start, scheduledUntil: w.end },
      {
        id: 'weekly',
        components: ['search'],
        scheduledFor: new Date('2026-04-01T00:00:00Z'),
        scheduledUntil: new Date('2026-04-01T01:00:00Z'),
        recurrence: { rule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=11', durationMs: H },
      },
    ];
    const daily: MaintenanceSchedule = {
      id: 'daily',
      components: ['email'],
      scheduledFor: new Date('2026-04-01T00:00:00Z'),
      scheduledUntil: new Date('2026-04-01T01:00:00Z'),
      recurrence: { rule: 'FREQ=DAILY;BYHOUR=11', durationMs: H },
    };
    // Yesterday's occurrence comes first in the expansion; today's live one must still be found.
    expect(isUnderMaintenance(['email'], [daily], new Date('2026-05-01T11:30:00Z'), 'Etc/UTC')).toEqual({
      under: true,
      maintenanceId: 'daily',
    });
    const at = new Date('2026-05-01T11:30:00Z'); // a Friday: 13:30 in Berlin, 11:30 UTC
    expect(isUnderMaintenance(['api'], ms, at, 'Etc/UTC')).toEqual({ under: true, maintenanceId: 'm1' });
    expect(isUnderMaintenance(['api', 'search'], ms, at, 'Etc/UTC')).toEqual({
      under: true,
      maintenanceId: 'm1',
    });
    expect(isUnderMaintenance(['api', 'email'], ms, at, 'Etc/UTC')).toEqual({
      under: false,
      maintenanceId: null,
    });
    expect(isUnderMaintenance(['search'], ms, at, BERLIN).under).toBe(false); // 11:00 Berlin = 09:00 UTC
    expect(isUnderMaintenance(['api'], ms, new Date('2026-05-01T12:00:00Z'), 'Etc/UTC').under).toBe(false);
    expect(isUnderMaintenance([], ms, at, 'Etc/UTC').under).toBe(false);
    const cancelled = ms.map((m) => ({ ...m, cancelledAt: new Date('2026-05-01T11:00:00Z') }));
    expect(isUnderMaintenance(['api'], cancelled, at, 'Etc/UTC').under).toBe(false);
    const early = [{ ...ms[0]!, completedAt: new Date('2026-05-01T11:00:00Z') }];
    expect(isUnderMaintenance(['api'], early, at, 'Etc/UTC').under).toBe(false);
  });

  it('windowsOf: a cancelled series keeps only what started before the cancel', () => {
    const m: MaintenanceSchedule = {
      id: 's',
      components: ['api'],
      scheduledFor: new Date('2026-01-01T00:00:00Z'),
      scheduledUntil: new Date('2026-01-01T01:00:00Z'),
      recurrence: { rule: 'FREQ=DAILY;BYHOUR=10', durationMs: H },
    };
    const now = new Date('2026-03-01T10:30:00Z');
    expect(windowsOf(m, 'Etc/UTC', now).map((x) => iso(x.start))).toEqual([
      '2026-02-28T10:00:00.000Z',
      '2026-03-01T10:00:00.000Z',
      '2026-03-02T10:00:00.000Z',
      '2026-03-03T10:00:00.000Z',
      '2026-03-04T10:00:00.000Z',
    ]);
    const cancelled = windowsOf({ ...m, cancelledAt: new Date('2026-03-01T10:15:00Z') }, 'Etc/UTC', now);
    expect(cancelled.map((x) => iso(x.start))).toEqual([
      '2026-02-28T10:00:00.000Z',
      '2026-03-01T10:00:00.000Z',
    ]);
  });
});
