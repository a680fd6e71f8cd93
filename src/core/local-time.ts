/** Calendar days in an IANA time zone, with Intl only (no time-zone library): DST-correct day and month edges. */

export interface LocalDate {
  y: number;
  m: number;
  d: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function localParts(ms: number, timeZone: string): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ms))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return parts;
}

export function localDateOf(ms: number, timeZone: string): LocalDate {
  const p = localParts(ms, timeZone);
  return { y: p.year!, m: p.month!, d: p.day! };
}

/** Local wall time minus UTC, in ms, at instant `ms`. */
function offsetAt(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - Math.floor(ms / 1000) * 1000;
}

function key(d: LocalDate): number {
  return d.y * 10_000 + d.m * 100 + d.d;
}

const dayStarts = new Map<string, number>();

/**
 * First instant whose local date is `date` (midnight, or the DST jump when midnight does not exist).
 * Memoized: a status snapshot asks for the same 90 day edges for every component on every rebuild, and each
 * answer costs several Intl.formatToParts calls. Pure (same input, same answer), so a cache is safe.
 */
export function startOfLocalDay(date: LocalDate, timeZone: string): number {
  const cacheKey = `${timeZone}|${date.y}-${date.m}-${date.d}`;
  const cached = dayStarts.get(cacheKey);
  if (cached !== undefined) return cached;
  const start = computeStartOfLocalDay(date, timeZone);
  if (dayStarts.size >= 10_000) dayStarts.clear();
  dayStarts.set(cacheKey, start);
  return start;
}

function computeStartOfLocalDay(date: LocalDate, timeZone: string): number {
  const guess = Date.UTC(date.y, date.m - 1, date.d);
  const target = key(date);
  const t = guess - offsetAt(guess - offsetAt(guess, timeZone), timeZone);
  const isStart = (ms: number) =>
    key(localDateOf(ms, timeZone)) >= target && key(localDateOf(ms - 1000, timeZone)) < target;
  if (isStart(t)) return t;
  // Rare zones change clocks at midnight: search the first second of that local date.
  let lo = guess - 16 * 3_600_000;
  let hi = guess + 16 * 3_600_000;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (key(localDateOf(mid, timeZone)) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}
