import { formatIssuePath } from '../core/format-issue.ts';
import type { IngestLimits } from '../core/ingest-limits.ts';
import { overLimit } from '../core/ingest-limits.ts';
import { MAX_JSON_DEPTH } from './json-guard.ts';
import type { TimeSlice } from './time-slice.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
/** Characters of text between turns offered to `slice.pause()` (checked after strings and commas). */
const PAUSE_EVERY = 1 << 15;

/** Where a body's alerts list is: its brackets and the commas between its entries. */
export interface AlertsList {
  /** 0: the body is the list; 1: it is the top-level `alerts`. */
  depth: number;
  start: number;
  end: number;
  commas: number[];
}

/** The scanner's state, made once per text; the token functions below update it in place. */
interface ScanState {
  readonly text: string;
  readonly limits: IngestLimits;
  readonly maxDepth: number;
  alerts: AlertsList | null;
  /** Two lists for the one alerts list (a repeated key): leave it all to JSON.parse. */
  ambiguous: boolean;
  // Per open container: list or object, entries so far (1 from its first comma on), limit, and where it sits.
  readonly isArray: boolean[];
  readonly entries: number[];
  readonly limitKeys: (keyof IngestLimits)[];
  readonly at: (string | number | null)[];
  depth: number;
  /** Raw text of the last member name in the innermost object (null before its first). */
  lastKey: string | null;
  expectKey: boolean;
  nextPause: number;
}

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
  const s = newScanState(text, limits, maxDepth);
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    switch (c) {
      case QUOTE:
        i = scanString(s, i);
        if (i < 0) return { error: null, alerts: null };
        if (pauseDue(s, i)) await slice.pause();
        break;
      case COMMA: {
        if (s.depth === 0) break;
        const error = scanComma(s, i);
        if (error) return { error };
        if (pauseDue(s, i)) await slice.pause();
        break;
      }
      case OPEN_OBJECT:
      case OPEN_ARRAY: {
        const error = scanOpen(s, c === OPEN_ARRAY, i);
        if (error) return { error };
        break;
      }
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        scanClose(s, i);
        break;
    }
  }
  return { error: null, alerts: completeAlertsList(s) };
}

function newScanState(text: string, limits: IngestLimits, maxDepth: number): ScanState {
  return {
    text,
    limits,
    maxDepth,
    alerts: null,
    ambiguous: false,
    isArray: [],
    entries: [],
    limitKeys: [],
    at: [],
    depth: 0,
    lastKey: null,
    expectKey: false,
    nextPause: PAUSE_EVERY,
  };
}

/** The alerts list, if the text had exactly one and it was closed (else null: JSON.parse takes it whole). */
function completeAlertsList(s: ScanState): AlertsList | null {
  const { alerts } = s;
  return s.ambiguous || !alerts || alerts.end < 0 ? null : alerts;
}

/** A string starting at `i`: where its closing quote is (-1 if none), noting it if it is a member name. */
function scanString(s: ScanState, i: number): number {
  const { text } = s;
  let end = text.indexOf('"', i + 1);
  while (end > 0 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
  if (end < 0) return -1;
  if (s.expectKey) {
    s.lastKey = text.slice(i + 1, end);
    s.expectKey = false;
  }
  return end;
}

/** A comma at `i` inside a container: counts the entry; a 400 message if that passes the container's limit. */
function scanComma(s: ScanState, i: number): string | null {
  const d = s.depth - 1;
  const count = (s.entries[d] || 1) + 1;
  s.entries[d] = count;
  const limitKey = s.limitKeys[d]!;
  if (count > s.limits[limitKey])
    return overLimit(formatIssuePath(openPath(s)), 'entries', s.limits, limitKey);
  const { alerts } = s;
  if (alerts && d === alerts.depth && alerts.end < 0) alerts.commas.push(i);
  s.expectKey = !s.isArray[d];
  return null;
}

/** A `[` or `{` at `i`: opens a container (a 400 message if too deep), noting it if it is the alerts list. */
function scanOpen(s: ScanState, array: boolean, i: number): string | null {
  const { depth } = s;
  if (depth + 1 > s.maxDepth) return `body: nested deeper than ${s.maxDepth} levels`;
  const parentIsArray = depth > 0 && s.isArray[depth - 1];
  const alertList = array && (depth === 0 || (depth === 1 && !parentIsArray && s.lastKey === 'alerts'));
  s.at[depth] = depth === 0 ? null : parentIsArray ? Math.max(0, (s.entries[depth - 1] || 1) - 1) : s.lastKey;
  s.isArray[depth] = array;
  s.entries[depth] = 0;
  s.limitKeys[depth] = alertList ? 'maxAlertsPerBody' : 'maxLabelsPerAlert';
  if (alertList) {
    if (s.alerts) s.ambiguous = true;
    s.alerts = { depth, start: i, end: -1, commas: [] };
  }
  s.depth = depth + 1;
  s.expectKey = !array;
  return null;
}

/** A `]` or `}` at `i`: closes the innermost container, noting where the alerts list ends. */
function scanClose(s: ScanState, i: number): void {
  if (s.depth > 0) s.depth--;
  const { alerts } = s;
  if (alerts && s.depth === alerts.depth && alerts.end < 0) alerts.end = i;
  s.expectKey = false;
}

/** Whether the scan, now at `i`, should offer the event loop a turn (then the next one is PAUSE_EVERY on). */
function pauseDue(s: ScanState, i: number): boolean {
  if (i < s.nextPause) return false;
  s.nextPause = i + PAUSE_EVERY;
  return true;
}

/** The path to the innermost open container, member names decoded, for a 400 message. */
function openPath(s: ScanState): (string | number)[] {
  return s.at.slice(1, s.depth).map((p) => (typeof p === 'string' ? decodeKey(p) : (p ?? '')));
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
