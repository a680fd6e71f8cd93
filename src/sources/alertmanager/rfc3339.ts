/** RFC 3339 as Go's time.Time marshals it: 0–9 fractional digits, `Z` or `±hh:mm`. */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export type Rfc3339 = { kind: 'time'; date: Date } | { kind: 'zero' };

/**
 * Parses by hand rather than with `Date.parse`, which is implementation-defined beyond
 * milliseconds and maps years < 100 to 19xx. Go's zero time (year 1) means "unset".
 * Precision is truncated to milliseconds.
 */
export function parseRfc3339(text: string): Rfc3339 | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', , sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return undefined;
  if (year <= 1) return { kind: 'zero' };
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(frac.padEnd(3, '0').slice(0, 3)));
  // Reject overflow such as Feb 31 (setUTCFullYear silently rolls it into March).
  if (date.getUTCDate() !== day) return undefined;
  if (sign) {
    const offsetMin = Number(oh) * 60 + Number(om);
    date.setTime(date.getTime() - (sign === '+' ? 1 : -1) * offsetMin * 60_000);
  }
  return Number.isNaN(date.getTime()) ? undefined : { kind: 'time', date };
}
