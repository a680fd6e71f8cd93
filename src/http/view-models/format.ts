import type { ComponentStatus } from '../../core/component-status.ts';

/** Display helpers shared by the public view models: labels and times in the page's time zone. */

export interface TimeVM {
  /** ISO 8601, for `<time datetime>` (live.js turns it into "5 min ago"). */
  iso: string;
  /** Absolute, in the page's time zone: "Apr 10, 2026, 14:00 CEST". */
  text: string;
}

export const COMPONENT_STATUS_LABELS: Record<ComponentStatus, string> = {
  operational: 'Operational',
  under_maintenance: 'Under maintenance',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
};

export const UPDATE_STATUS_LABELS: Record<string, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  postmortem: 'Postmortem',
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  verifying: 'Verifying',
  completed: 'Completed',
};

export const IMPACT_LABELS: Record<string, string> = {
  none: 'No impact',
  minor: 'Minor impact',
  major: 'Major impact',
  critical: 'Critical impact',
};

const formats = new Map<string, Intl.DateTimeFormat>();

/** One Intl formatter per (purpose, time zone): building them costs far more than using them. */
export function cachedFormat(
  purpose: string,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = `${purpose}|${timeZone}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, ...options });
    formats.set(key, f);
  }
  return f;
}

export function formatTime(date: Date, timeZone: string): TimeVM {
  const f = cachedFormat('time', timeZone, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  return { iso: date.toISOString(), text: f.format(date) };
}

/** A `YYYY-MM-DD` local date as "Apr 10, 2026" (no zone shift: the date is already local). */
export function formatLocalDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return cachedFormat('date', 'UTC', { year: 'numeric', month: 'short', day: 'numeric' }).format(
    new Date(Date.UTC(y!, m! - 1, d!)),
  );
}

export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `${h} h ${m} min` : `${h} h`;
}

export function formatPercent(value: number | null): string {
  return value === null ? 'No data' : `${value.toFixed(2)}%`;
}
