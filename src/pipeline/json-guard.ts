import { formatIssuePath } from '../core/format-issue.ts';
import type { IngestLimits } from '../core/ingest-limits.ts';
import { overLimit } from '../core/ingest-limits.ts';
import { storableText } from '../core/storable-text.ts';
import type { TimeSlice } from './time-slice.ts';

/**
 * What a parsed webhook body must satisfy before any source sees it. Real payloads nest under ten levels;
 * far deeper ones (100,000 levels of `[`) overflow the stack of JSON.stringify and of PostgreSQL's jsonb
 * parser, and NUL or lone UTF-16 surrogates (`\u0000`, `\ud800`, valid JSON) are refused by PostgreSQL text
 * and jsonb. Without this they are 500s on insert; with it, a 400 naming the problem, or a stored U+FFFD.
 */
export const MAX_JSON_DEPTH = 64;

type GuardResult = { ok: true; value: unknown } | { ok: false; error: string };

/** Checks the depth and replaces NUL and lone surrogates with U+FFFD (in place; no recursion). */
export function guardJson(value: unknown, maxDepth = MAX_JSON_DEPTH): GuardResult {
  const walk = guardWalk(value, maxDepth);
  for (;;) {
    const step = walk.next();
    if (step.done) return step.value;
  }
}

/** guardJson, giving the event loop a turn whenever `slice` says so (a 5 MB body has a million nodes). */
export async function guardJsonSliced(
  value: unknown,
  slice: TimeSlice,
  maxDepth = MAX_JSON_DEPTH,
): Promise<GuardResult> {
  const walk = guardWalk(value, maxDepth);
  for (;;) {
    const step = walk.next();
    if (step.done) return step.value;
    await slice.pause();
  }
}

/** The walk of guardJson; yields every 1,024 containers so a caller may pause. */
function* guardWalk(value: unknown, maxDepth: number): Generator<void, GuardResult> {
  if (typeof value === 'string') return { ok: true, value: storableText(value) };
  if (!value || typeof value !== 'object') return { ok: true, value };
  const stack: [object, number][] = [[value, 1]];
  let visited = 0;
  while (stack.length > 0) {
    if ((++visited & 1023) === 0) yield;
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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/**
 * Checks a JSON text's shape before `JSON.parse` builds it, in one linear pass: nesting depth, the entries of
 * the top-level `alerts` list (maxAlertsPerBody; a bare list counts as one), and the entries of every other
 * object or list (maxLabelsPerAlert: labels, annotations, Datadog tags). Building a 200,000-member object alone
 * takes V8 most of a second, so such a body must be refused from its text. Entries are counted by their commas.
 * Returns a 400 message naming the place and the limit, or where the alerts list's entries are (so it can be
 * parsed in slices); not-quite-JSON is left to `JSON.parse`.
 */
export async function scanJsonShape(
  text: string,
  limits: IngestLimits,
  slice: TimeSlice,
  maxDepth = MAX_JSON_DEPTH,
): Promise<{ error: string } | { error: null; alerts: AlertsList | null }> {
  let alerts: AlertsList | null = null;
  /** Two lists for the one alerts list (a repeated key): leave it all to JSON.parse. */
  let ambiguous = false;
  // Per open container: list or object, entries so far (1 from its first comma on), limit, and where it sits.
  const isArray: boolean[] = [];
  const entries: number[] = [];
  const limitKeys: (keyof IngestLimits)[] = [];
  const at: (string | number | null)[] = [];
  let depth = 0;
  /** Raw text of the last member name in the innermost object (null before its first). */
  let lastKey: string | null = null;
  let expectKey = false;
  const n = text.length;
  let nextPause = 1 << 15;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = text.indexOf('"', i + 1);
      while (end > 0 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) return { error: null, alerts: null };
      if (expectKey) {
        lastKey = text.slice(i + 1, end);
        expectKey = false;
      }
      i = end;
      if (i >= nextPause) {
        nextPause = i + (1 << 15);
        await slice.pause();
      }
    } else if (c === COMMA) {
      if (depth === 0) continue;
      const d = depth - 1;
      entries[d] = (entries[d] || 1) + 1;
      if (entries[d]! > limits[limitKeys[d]!]) {
        const path = at.slice(1, depth).map((p) => (typeof p === 'string' ? decodeKey(p) : (p ?? '')));
        return { error: overLimit(formatIssuePath(path), 'entries', limits, limitKeys[d]!) };
      }
      if (alerts && d === alerts.depth && alerts.end < 0) alerts.commas.push(i);
      expectKey = !isArray[d];
      if (i >= nextPause) {
        nextPause = i + (1 << 15);
        await slice.pause();
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth + 1 > maxDepth) return { error: `body: nested deeper than ${maxDepth} levels` };
      const array = c === OPEN_ARRAY;
      const parentIsArray = depth > 0 && isArray[depth - 1];
      const alertList = array && (depth === 0 || (depth === 1 && !parentIsArray && lastKey === 'alerts'));
      at[depth] = depth === 0 ? null : parentIsArray ? Math.max(0, (entries[depth - 1] || 1) - 1) : lastKey;
      isArray[depth] = array;
      entries[depth] = 0;
      limitKeys[depth] = alertList ? 'maxAlertsPerBody' : 'maxLabelsPerAlert';
      if (alertList) {
        if (alerts) ambiguous = true;
        alerts = { depth, start: i, end: -1, commas: [] };
      }
      depth++;
      expectKey = !array;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth > 0) depth--;
      if (alerts && depth === alerts.depth && alerts.end < 0) alerts.end = i;
      expectKey = false;
    }
  }
  return { error: null, alerts: ambiguous || !alerts || alerts.end < 0 ? null : alerts };
}

/** Where a body's alerts list is: its brackets and the commas between its entries. */
export interface AlertsList {
  /** 0: the body is the list; 1: it is the top-level `alerts`. */
  depth: number;
  start: number;
  end: number;
  commas: number[];
}

/**
 * `JSON.parse(text)`, with the alerts list parsed `chunk` entries at a time and a turn of the event loop
 * between chunks (JSON.parse of 20,000 alerts at once holds the loop for 100 ms or more). Any syntax error is
 * reported by one JSON.parse of the whole text, so messages are the same either way.
 */
export async function parseJsonSliced(
  text: string,
  list: AlertsList | null,
  slice: TimeSlice,
  chunk = 250,
): Promise<unknown> {
  if (!list || list.commas.length < chunk) return JSON.parse(text);
  try {
    const alerts: unknown[] = [];
    const bounds = [list.start, ...list.commas, list.end];
    for (let k = 0; k + 1 < bounds.length; k += chunk) {
      const to = Math.min(k + chunk, bounds.length - 1);
      const part = JSON.parse(`[${text.slice(bounds[k]! + 1, bounds[to])}]`) as unknown[];
      for (const alert of part) alerts.push(alert);
      await slice.pause();
    }
    if (list.depth === 0) return alerts;
    const body = JSON.parse(`${text.slice(0, list.start)}[]${text.slice(list.end + 1)}`) as {
      alerts: unknown;
    };
    body.alerts = alerts;
    return body;
  } catch {
    return JSON.parse(text);
  }
}

/** Whether the quote at `at` is escaped: an odd run of backslashes before it. */
function isEscaped(text: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && text.charCodeAt(k) === BACKSLASH) k--;
  return (at - 1 - k) % 2 === 1;
}

function decodeKey(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
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
