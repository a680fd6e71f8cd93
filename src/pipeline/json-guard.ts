import { storableText } from '../core/storable-text.ts';
import type { AlertsList } from './json-shape-scan.ts';
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
    if (Array.isArray(node)) guardArray(node, depth, stack);
    else guardObject(node as Record<string, unknown>, depth, stack);
  }
  return { ok: true, value };
}

/** Fixes a list's strings in place and pushes its containers (one level deeper) for the walk. */
function guardArray(node: unknown[], depth: number, stack: [object, number][]): void {
  for (let i = 0; i < node.length; i++) {
    const v: unknown = node[i];
    if (typeof v === 'string') node[i] = storableText(v);
    else if (v && typeof v === 'object') stack.push([v, depth + 1]);
  }
}

/** Fixes an object's string values and member names in place and pushes its containers for the walk. */
function guardObject(record: Record<string, unknown>, depth: number, stack: [object, number][]): void {
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
