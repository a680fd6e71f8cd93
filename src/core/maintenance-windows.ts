// Over 300 lines: RRULE validation, day-filter check and occurrence expansion share the rule parsing here.
import rrulePkg, { type Options } from 'rrule';
import { localParts } from './local-time.ts';

/**
 * Maintenance windows, pure: `now` is always passed in. A one-off maintenance is one window; a recurring one is an
 * RFC 5545 RRULE evaluated in the status page's time zone (wall-clock times: `BYHOUR=2` is 02:00 local time on both
 * sides of a DST change) plus a window length. Expansion is bounded: a horizon in time and a number of occurrences,
 * and only rules whose day filters can match (checked over a full 28-year calendar cycle) are accepted, so the
 * library never walks towards year 9999 looking for a day that does not exist.
 */

const { RRule } = rrulePkg;

export type MaintenancePublicStatus = 'scheduled' | 'in_progress' | 'verifying' | 'completed';

export interface Window {
  start: Date;
  end: Date;
}

export interface Recurrence {
  /** RRULE body, e.g. `FREQ=WEEKLY;BYDAY=SU;BYHOUR=2`. */
  rule: string;
  durationMs: number;
}

/** What the window math needs of a maintenance. */
export interface MaintenanceSchedule {
  id: string;
  components: readonly string[];
  /** One-off: the window. Recurring: the series start (DTSTART; its local time fills BYHOUR/BYMINUTE defaults). */
  scheduledFor: Date;
  scheduledUntil: Date;
  recurrence?: Recurrence | null;
  cancelledAt?: Date | null;
  /** A one-off completed early (its window already ends then). */
  completedAt?: Date | null;
}

/** How far ahead occurrences are looked for, and how many at most. */
export const RECURRENCE_HORIZON_MS = 2 * 366 * 86_400_000;
export const MAX_OCCURRENCES = 50;
const MAX_DURATION_MS = 31 * 86_400_000;
const ALLOWED_PARTS = new Set([
  'FREQ',
  'INTERVAL',
  'COUNT',
  'UNTIL',
  'BYDAY',
  'BYMONTHDAY',
  'BYMONTH',
  'BYHOUR',
  'BYMINUTE',
  'WKST',
]);
const ALLOWED_FREQ = new Set(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);

export type RecurrenceCheck = { ok: true } | { ok: false; field: 'recurrence' | 'duration'; message: string };

/** Validates a rule and a window length; `from` is the series start, `now` the time of the request. */
export function checkRecurrence(r: Recurrence, from: Date, timeZone: string, now: Date): RecurrenceCheck {
  if (!(r.durationMs > 0) || r.durationMs > MAX_DURATION_MS)
    return { ok: false, field: 'duration', message: 'must be more than 0 and at most 31d' };
  const parsed = parseRule(r.rule);
  if (typeof parsed === 'string') return { ok: false, field: 'recurrence', message: parsed };
  if (!dayFilterCanMatch(parsed))
    return { ok: false, field: 'recurrence', message: 'the rule matches no day' };
  const next = occurrences({ ...r, start: from }, timeZone, now, 1);
  if (next.active === null && next.upcoming.length === 0)
    return {
      ok: false,
      field: 'recurrence',
      message: 'the rule has no future occurrence (looked 2 years ahead)',
    };
  return { ok: true };
}

/** Parsed options, or a message naming what is wrong. */
function parseRule(rule: string): Partial<Options> | string {
  const body = rule.trim().replace(/^RRULE:/i, '');
  if (body === '' || body.length > 500) return 'expected an RRULE such as FREQ=WEEKLY;BYDAY=SU;BYHOUR=2';
  if (/DTSTART|TZID|\n/i.test(body)) return 'give the series start as scheduled_for, not DTSTART or TZID';
  const parts = body.split(';').filter(Boolean);
  for (const p of parts) {
    const problem = partProblem(p, body);
    if (problem) return problem;
  }
  if (!parts.some((p) => /^FREQ=/i.test(p))) return 'FREQ is required';
  try {
    return RRule.parseString(body);
  } catch (err) {
    return `not a valid RRULE: ${(err as Error).message}`;
  }
}

/** What is wrong with one `NAME=value` part of the rule, or null. */
function partProblem(p: string, body: string): string | null {
  const [name, value] = p.split('=');
  const key = name?.toUpperCase();
  if (!key || value === undefined || !ALLOWED_PARTS.has(key))
    return `unsupported rule part "${p}" (allowed: ${[...ALLOWED_PARTS].join(', ')})`;
  if (key === 'FREQ' && !ALLOWED_FREQ.has(value.toUpperCase()))
    return 'FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY';
  if (key === 'INTERVAL' && !(Number(value) >= 1 && Number(value) <= 100)) return 'INTERVAL must be 1 to 100';
  if (key === 'BYDAY') return bydayProblem(value, body);
  return null;
}

/** BYDAY days, each with an optional ordinal (-5..5, not 0), which rrule cannot combine with BYMONTHDAY. */
function bydayProblem(value: string, body: string): string | null {
  for (const d of value.split(',')) {
    const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/i.exec(d);
    if (!m) return `BYDAY: unknown day "${d}"`;
    const n = Number(m[1]);
    if (m[1] !== undefined && (Math.abs(n) > 5 || n === 0 || /BYMONTHDAY/i.test(body)))
      return `BYDAY: "${d}" needs an ordinal from -5 to 5 and no BYMONTHDAY`;
  }
  return null;
}

/**
 * Whether some calendar day passes BYMONTH, BYMONTHDAY and BYDAY (weekday) together. Every combination of month,
 * day of month, weekday and leap year comes back within 28 years, so scanning them is a complete, bounded check.
 */
function dayFilterCanMatch(o: Partial<Options>): boolean {
  const months = list(o.bymonth);
  const monthDays = list(o.bymonthday);
  const weekdays = list(o.byweekday).map((w) =>
    typeof w === 'number' ? w : (w as { weekday: number }).weekday,
  );
  if (!months.length && !monthDays.length) return true;
  const start = Date.UTC(2001, 0, 1);
  for (let i = 0; i < 28 * 366; i++) {
    const d = new Date(start + i * 86_400_000);
    const month = d.getUTCMonth() + 1;
    const day = d.getUTCDate();
    const length = new Date(Date.UTC(d.getUTCFullYear(), month, 0)).getUTCDate();
    if (months.length && !months.includes(month)) continue;
    if (monthDays.length && !monthDays.includes(day) && !monthDays.includes(day - length - 1)) continue;
    // rrule numbers weekdays from Monday = 0.
    if (weekdays.length && !weekdays.includes((d.getUTCDay() + 6) % 7)) continue;
    return true;
  }
  return false;
}

function list<T>(v: T | T[] | null | undefined): T[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export interface Occurrences {
  /** The occurrence under way at `now`, if any. */
  active: Window | null;
  /** Starting after `now`, earliest first, at most `count`. */
  upcoming: Window[];
  /** The latest occurrence that ended at or before `now`, if any within the horizon behind. */
  previous: Window | null;
}

/**
 * Occurrences of a recurring window around `now`, bounded by the horizon and by `count`. The rule runs on wall-clock
 * time in `timeZone` ("floating" times); each wall time becomes an instant in that zone. A wall time that does not
 * exist (the spring-forward gap) moves forward by the gap; an ambiguous one (fall-back) takes the first instant.
 */
export function occurrences(
  r: Recurrence & { start: Date },
  timeZone: string,
  now: Date,
  count: number,
): Occurrences {
  const options = parseRule(r.rule);
  if (typeof options === 'string' || !dayFilterCanMatch(options))
    return { active: null, upcoming: [], previous: null };
  const rule = new RRule({ ...options, dtstart: wallOf(r.start.getTime(), timeZone) });
  const nowMs = now.getTime();
  const nowWall = wallOf(nowMs, timeZone).getTime();
  const limit = Math.min(Math.max(count, 0), MAX_OCCURRENCES);
  // Back far enough for an occurrence still under way (plus a day for offset changes), and a horizon ahead.
  const from = new Date(nowWall - r.durationMs - 2 * 86_400_000);
  const to = new Date(nowWall + RECURRENCE_HORIZON_MS);
  let active: Window | null = null;
  let previous: Window | null = null;
  const upcoming: Window[] = [];
  rule.between(from, to, true, (wall) => {
    const start = instantOf(wall.getTime(), timeZone);
    const w = { start: new Date(start), end: new Date(start + r.durationMs) };
    if (start > nowMs) {
      if (upcoming.length >= limit) return false;
      upcoming.push(w);
    } else if (w.end.getTime() > nowMs) active = w;
    else previous = w;
    return true;
  });
  return { active, upcoming, previous };
}

/** Local wall time at instant `ms`, as a Date whose UTC fields carry it (rrule's floating time). */
function wallOf(ms: number, timeZone: string): Date {
  const p = localParts(ms, timeZone);
  return new Date(Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!));
}

/** The instant a wall time names in `timeZone`: gaps move forward, overlaps take the earlier instant. */
export function instantOf(wallMs: number, timeZone: string): number {
  const offsetBefore = wallOf(wallMs - 86_400_000, timeZone).getTime() - (wallMs - 86_400_000);
  const offsetAfter = wallOf(wallMs + 86_400_000, timeZone).getTime() - (wallMs + 86_400_000);
  const candidates = [wallMs - offsetBefore, wallMs - offsetAfter]
    .filter((t) => wallOf(t, timeZone).getTime() === wallMs)
    .sort((a, b) => a - b);
  return candidates[0] ?? wallMs - offsetBefore;
}

/** The windows to show around `now`: a one-off's own window, or a recurring one's previous, active and next ones. */
export function windowsOf(m: MaintenanceSchedule, timeZone: string, now: Date, upcomingCount = 3): Window[] {
  if (!m.recurrence) {
    const end = m.completedAt && m.completedAt < m.scheduledUntil ? m.completedAt : m.scheduledUntil;
    return [{ start: m.scheduledFor, end }];
  }
  const o = occurrences({ ...m.recurrence, start: m.scheduledFor }, timeZone, now, upcomingCount);
  const all = [o.previous, o.active, ...o.upcoming].filter((w): w is Window => w !== null);
  // A cancelled series keeps what already happened (or was under way when it was cancelled), nothing after.
  return m.cancelledAt ? all.filter((w) => w.start < m.cancelledAt!) : all;
}

export interface UnderMaintenance {
  under: boolean;
  /** The maintenance to name as the reason when `under`. */
  maintenanceId: string | null;
}

/**
 * Whether every one of `componentIds` is under an active maintenance window at `now` (not cancelled, not completed
 * early). For muting: an alert whose components are all under maintenance is held back, naming the maintenance.
 * Components may be covered by different maintenances; the reason names the first one that covers any of them.
 */
export function isUnderMaintenance(
  componentIds: readonly string[],
  maintenances: readonly MaintenanceSchedule[],
  now: Date,
  timeZone: string,
): UnderMaintenance {
  if (componentIds.length === 0) return { under: false, maintenanceId: null };
  const nowMs = now.getTime();
  const covered = new Set<string>();
  let reason: string | null = null;
  for (const m of maintenances) {
    if (m.cancelledAt && m.cancelledAt.getTime() <= nowMs) continue;
    const live = windowsOf(m, timeZone, now, 0).some(
      (w) => w.start.getTime() <= nowMs && nowMs < w.end.getTime(),
    );
    if (!live) continue;
    for (const c of m.components) {
      if (componentIds.includes(c)) {
        covered.add(c);
        reason ??= m.id;
      }
    }
  }
  const under = componentIds.every((c) => covered.has(c));
  return { under, maintenanceId: under ? reason : null };
}

export interface StatusUpdate {
  status: MaintenancePublicStatus;
  at: Date;
  /** `created`/`edited` belong to a whole series; the others to one occurrence. Default: `update`. */
  kind?: 'created' | 'edited' | 'update' | 'completed' | 'cancelled';
}

/** An update posted for one occurrence of a series counts from 12 hours before it starts until it ends. */
export const OCCURRENCE_LEAD_MS = 12 * 3_600_000;

/** The updates that belong to window `w`: all of a one-off's; a series' shared ones and those posted for `w`. */
export function updatesOfWindow<U extends StatusUpdate>(
  updates: readonly U[],
  w: Window,
  recurring: boolean,
): U[] {
  if (!recurring) return [...updates];
  return updates.filter(
    (u) =>
      u.kind === 'created' ||
      u.kind === 'edited' ||
      (u.at.getTime() >= w.start.getTime() - OCCURRENCE_LEAD_MS && u.at.getTime() < w.end.getTime()),
  );
}

/** The updates that set a window's status (not the series' created/edited notes). */
export const explicitUpdates = <U extends StatusUpdate>(updates: readonly U[]): U[] =>
  updates.filter((u) => u.kind !== 'created' && u.kind !== 'edited');

/**
 * Public status of one window at `now`: completed once it ends (or an update said completed, or it was cancelled);
 * before that, the latest explicit in_progress/verifying update during it wins (started early, verifying), else
 * the clock decides: scheduled before the start, in_progress during.
 */
export function windowStatus(
  w: Window,
  updates: readonly StatusUpdate[],
  now: Date,
  cancelledAt: Date | null = null,
): MaintenancePublicStatus {
  const nowMs = now.getTime();
  if (cancelledAt && cancelledAt.getTime() <= nowMs) return 'completed';
  if (nowMs >= w.end.getTime()) return 'completed';
  const latest = [...updates]
    .filter((u) => u.at.getTime() <= nowMs && u.status !== 'scheduled')
    .sort((a, b) => b.at.getTime() - a.at.getTime())[0];
  if (latest?.status === 'completed') return 'completed';
  if (latest) return latest.status;
  return nowMs < w.start.getTime() ? 'scheduled' : 'in_progress';
}
