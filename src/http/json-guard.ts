import { storableText } from '../core/storable-text.ts';

/**
 * What a parsed webhook body must satisfy before any source sees it. Real payloads nest under ten levels;
 * far deeper ones (100,000 levels of `[`) overflow the stack of JSON.stringify and of PostgreSQL's jsonb
 * parser, and NUL or lone UTF-16 surrogates (`\u0000`, `\ud800`, valid JSON) are refused by PostgreSQL text
 * and jsonb. Without this they are 500s on insert; with it, a 400 naming the problem, or a stored U+FFFD.
 */
export const MAX_JSON_DEPTH = 64;

/** Checks the depth and replaces NUL and lone surrogates with U+FFFD (in place; no recursion). */
export function guardJson(
  value: unknown,
  maxDepth = MAX_JSON_DEPTH,
): { ok: true; value: unknown } | { ok: false; error: string } {
  if (typeof value === 'string') return { ok: true, value: storableText(value) };
  if (!value || typeof value !== 'object') return { ok: true, value };
  const stack: [object, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > maxDepth) return { ok: false, error: `body: nested deeper than ${maxDepth} levels` };
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v: unknown = node[i];
        if (typeof v === 'string') node[i] = storableText(v);
        else if (v && typeof v === 'object') stack.push([v, depth + 1]);
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      let v = record[key];
      if (typeof v === 'string') v = record[key] = storableText(v);
      else if (v && typeof v === 'object') stack.push([v, depth + 1]);
      const k = storableText(key);
      if (k !== key) {
        record[k] = v;
        delete record[key];
      }
    }
  }
  return { ok: true, value };
}

// What PostgreSQL's timestamptz and its ISO input accept: JS dates reach year 275760 ("+030170-06-01…").
const MIN_DATE_MS = new Date(0).setUTCFullYear(1, 0, 1);
const MAX_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The first alert date a sender's garbage put out of range (a 400 naming it), else null. */
export function outOfRangeDate(alerts: readonly { startsAt: Date; endsAt: Date | null }[]): string | null {
  for (const [i, a] of alerts.entries()) {
    for (const [field, d] of [
      ['startsAt', a.startsAt],
      ['endsAt', a.endsAt],
    ] as const) {
      if (!d) continue;
      const ms = d.getTime();
      if (!(ms >= MIN_DATE_MS && ms <= MAX_DATE_MS))
        return `alerts[${i}].${field}: date out of range (${Number.isNaN(ms) ? 'invalid' : d.toISOString()})`;
    }
  }
  return null;
}
