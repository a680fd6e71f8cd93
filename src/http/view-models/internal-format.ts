import { formatDuration } from '../../core/duration.ts';
import { cachedFormat } from './format.ts';

/** Time display for the internal pages: absolute (to the second, in the page's zone) and relative. */

export interface InternalTimeVM {
  /** ISO 8601 for `<time datetime>`; console.js keeps the relative text current. */
  iso: string;
  /** "Nov 1, 2026, 11:02:03 CET" */
  text: string;
  /** "5 min ago" / "in 3 min", as of rendering. */
  relative: string;
}

function absolute(date: Date, timeZone: string): string {
  return cachedFormat('internal-time', timeZone, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(date);
}

/** Same wording as console.js, so the first paint and the live updates agree. */
function relativeTime(ms: number): string {
  const abs = Math.abs(ms) / 1000;
  if (abs < 45) return ms <= 0 ? 'just now' : 'in a moment';
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
  ];
  for (const [label, size] of units) {
    if (abs >= size || label === 'min') {
      const n = Math.max(1, Math.round(abs / size));
      return ms < 0 ? `${n} ${label} ago` : `in ${n} ${label}`;
    }
  }
  return '';
}

export function internalTime(date: Date, now: Date, timeZone: string): InternalTimeVM {
  return {
    iso: date.toISOString(),
    text: absolute(date, timeZone),
    relative: relativeTime(date.getTime() - now.getTime()),
  };
}

/** "4m12s"; "—" for nothing. */
export function durationText(ms: number | null): string {
  return ms === null ? '—' : formatDuration(ms);
}

/** The countdown text of a clock: "4m12s left" or "overdue by 2m". */
export function countdownText(dueAt: Date, now: Date): string {
  const left = dueAt.getTime() - now.getTime();
  return left >= 0 ? `${formatDuration(left) || '0s'} left` : `overdue by ${formatDuration(-left)}`;
}
