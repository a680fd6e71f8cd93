import { type ComponentStatus, worseStatus } from './component-status.ts';
import { type LocalDate, localDateOf, startOfLocalDay } from './local-time.ts';
import { NON_OPERATIONAL_STATUSES } from './status.ts';

/**
 * Daily uptime bars from stored component status intervals, with days aligned to the page's time
 * zone (a DST day is 23 or 25 hours long; it is still one bar).
 *
 * The rule (Instatus/Statuspage style), published in every result as `rule`:
 * - major_outage counts fully as downtime, partial_outage counts 30 %, degraded_performance 0 %;
 * - under_maintenance minutes are excluded from both downtime and the time measured;
 * - time the component existed that no interval covers counts as operational;
 * - time before the component existed (or after `now`) is "no data" and not measured.
 * Where intervals overlap, the worst status wins for the overlap.
 */

export interface StatusInterval {
  componentId: string;
  status: ComponentStatus;
  startedAt: Date;
  endedAt: Date | null;
}

export type NonOperationalStatus = Exclude<ComponentStatus, 'operational'>;

export interface UptimeRule {
  /** Fraction of each status' minutes that counts as downtime. */
  downtimeWeight: Record<Exclude<NonOperationalStatus, 'under_maintenance'>, number>;
  /** Statuses whose minutes are left out of the measured time. */
  excluded: NonOperationalStatus[];
  text: string;
}

export const UPTIME_RULE: UptimeRule = {
  downtimeWeight: { major_outage: 1, partial_outage: 0.3, degraded_performance: 0 },
  excluded: ['under_maintenance'],
  text:
    'Uptime counts major outage minutes fully and partial outage minutes at 30% as downtime; ' +
    'degraded performance is not downtime; maintenance is excluded; days before a component existed have no data.',
};

export interface UptimeIncidentRef {
  id: string;
  title: string;
  components: readonly string[];
  openedAt: Date;
  resolvedAt: Date | null;
}

export interface UptimeDay {
  /** Local calendar date in the page's time zone, `YYYY-MM-DD`. */
  date: string;
  startsAt: Date;
  endsAt: Date;
  noData: boolean;
  /** Worst status seen that day; null when there is no data. */
  worst: ComponentStatus | null;
  /** Whole minutes (rounded) per non-operational status. */
  minutes: Record<NonOperationalStatus, number>;
  /** Weighted downtime minutes by the rule (rounded). */
  downtimeMinutes: number;
  /** null when nothing was measured (no data, or maintenance all day). */
  uptimePercent: number | null;
  /** Incidents naming this component that were open at some point of the day. */
  incidents: { id: string; title: string }[];
}

export interface ComponentUptime {
  componentId: string;
  timeZone: string;
  days: UptimeDay[];
  /** Over all days shown; null when nothing was measured. */
  uptimePercent: number | null;
  rule: UptimeRule;
}

export interface UptimeInput {
  componentId: string;
  intervals: readonly StatusInterval[];
  timeZone: string;
  now: Date;
  days?: number;
  /** When the component started to exist; default: its earliest interval. Unknown: all days "no data". */
  existsSince?: Date | null;
  incidents?: readonly UptimeIncidentRef[];
}

export const UPTIME_DAYS = 90;
const MINUTE = 60_000;

/** 90 (or `days`) daily bars, oldest first, ending with today in `timeZone`. */
export function uptimeBars(input: UptimeInput): ComponentUptime {
  const { componentId, timeZone, now } = input;
  const dayCount = input.days ?? UPTIME_DAYS;
  const nowMs = now.getTime();
  const own = input.intervals.filter((i) => i.componentId === componentId);
  const existsSince =
    input.existsSince?.getTime() ??
    (own.length ? Math.min(...own.map((i) => i.startedAt.getTime())) : Number.POSITIVE_INFINITY);

  const today = localDateOf(nowMs, timeZone);
  const bounds: number[] = [];
  const dates: string[] = [];
  for (let k = dayCount - 1; k >= -1; k--) {
    const d = addDays(today, -k);
    bounds.push(startOfLocalDay(d, timeZone));
    if (k >= 0) dates.push(formatDate(d));
  }
  const segments = worstSegments(own, bounds[0]!, nowMs);
  const incidents = (input.incidents ?? []).filter((i) => i.components.includes(componentId));

  let totalMeasured = 0;
  let totalDown = 0;
  const days: UptimeDay[] = dates.map((date, idx) => {
    const startsAt = bounds[idx]!;
    const endsAt = bounds[idx + 1]!;
    const from = Math.max(startsAt, existsSince);
    const to = Math.min(endsAt, nowMs);
    const ms = emptyMinutes();
    let measured = 0;
    let down = 0;
    let worst: ComponentStatus | null = null;
    if (to > from) {
      worst = 'operational';
      for (const s of segments) {
        const overlap = Math.min(s.end, to) - Math.max(s.start, from);
        if (overlap <= 0) continue;
        ms[s.status] += overlap;
        worst = worseStatus(worst, s.status);
      }
      measured = to - from - ms.under_maintenance;
      down =
        ms.major_outage * UPTIME_RULE.downtimeWeight.major_outage +
        ms.partial_outage * UPTIME_RULE.downtimeWeight.partial_outage +
        ms.degraded_performance * UPTIME_RULE.downtimeWeight.degraded_performance;
    }
    totalMeasured += measured;
    totalDown += down;
    const minutes = emptyMinutes();
    for (const s of NON_OPERATIONAL_STATUSES) minutes[s] = Math.round(ms[s] / MINUTE);
    return {
      date,
      startsAt: new Date(startsAt),
      endsAt: new Date(endsAt),
      noData: worst === null,
      worst,
      minutes,
      downtimeMinutes: Math.round(down / MINUTE),
      uptimePercent: percent(measured, down),
      incidents: incidents
        .filter((i) => i.openedAt.getTime() < endsAt && (i.resolvedAt?.getTime() ?? nowMs) >= startsAt)
        .map((i) => ({ id: i.id, title: i.title })),
    };
  });
  return {
    componentId,
    timeZone,
    days,
    uptimePercent: percent(totalMeasured, totalDown),
    rule: UPTIME_RULE,
  };
}

/** Rounded down to 2 decimals, so any downtime shows below 100. */
function percent(measured: number, down: number): number | null {
  if (measured <= 0) return null;
  return Math.floor((1 - down / measured) * 10_000) / 100;
}

function emptyMinutes(): Record<NonOperationalStatus, number> {
  return { under_maintenance: 0, degraded_performance: 0, partial_outage: 0, major_outage: 0 };
}

interface Segment {
  start: number;
  end: number;
  status: NonOperationalStatus;
}

/** Non-overlapping non-operational segments within [from, to): the worst covering status per piece. */
function worstSegments(intervals: readonly StatusInterval[], from: number, to: number): Segment[] {
  const clipped = intervals
    .filter((i) => i.status !== 'operational')
    .map((i) => ({
      start: Math.max(i.startedAt.getTime(), from),
      end: Math.min(i.endedAt?.getTime() ?? to, to),
      status: i.status as NonOperationalStatus,
    }))
    .filter((i) => i.end > i.start);
  const points = [...new Set(clipped.flatMap((i) => [i.start, i.end]))].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let p = 0; p + 1 < points.length; p++) {
    const start = points[p]!;
    const end = points[p + 1]!;
    let status: ComponentStatus = 'operational';
    for (const i of clipped) if (i.start <= start && i.end >= end) status = worseStatus(status, i.status);
    if (status === 'operational') continue;
    const last = out.at(-1);
    if (last && last.end === start && last.status === status) last.end = end;
    else out.push({ start, end, status });
  }
  return out;
}

function addDays(date: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function formatDate(d: LocalDate): string {
  return `${String(d.y).padStart(4, '0')}-${String(d.m).padStart(2, '0')}-${String(d.d).padStart(2, '0')}`;
}
