/**
 * `$DATE`/`$LAST_UPDATED` are epoch milliseconds (13 digits); `*_POSIX` variants and some
 * templates give seconds; hand-written templates give ISO 8601. Digits decide the unit.
 */
export function parseDatadogDate(value: string): Date | undefined {
  if (/^\d+(\.\d+)?$/.test(value)) {
    const n = Number(value);
    const ms = n >= 1e14 ? n / 1000 : n >= 1e11 ? n : n * 1000;
    return validDate(ms);
  }
  // ISO 8601 needs at least a full date; `Date.parse` alone accepts too much ("1", "May 5").
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  return validDate(Date.parse(value));
}

function validDate(ms: number): Date | undefined {
  const date = new Date(Math.trunc(ms));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
