import { RE2JS } from 're2js';

/**
 * Silences with Alertmanager's semantics (pure: the time is always passed in).
 *
 * - A matcher is `{name, value, isRegex, isEqual}`: `=` (isEqual, !isRegex), `!=`, `=~` (isEqual, isRegex), `!~`.
 * - A regex must match the whole value, as Alertmanager's `^(?:value)$` does, and runs on RE2 (re2js): linear time, so a
 *   pathological pattern cannot stall ingest.
 * - A label the alert does not carry is the empty string: `team=""` matches alerts without `team`,
 *   `team!=""` matches alerts that have one.
 * - A silence matches an alert when every matcher matches; it is active while `startsAt <= now < endsAt`.
 */

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: Date;
  endsAt: Date;
}

export type SilenceState = 'pending' | 'active' | 'expired';

export function silenceState(s: { startsAt: Date; endsAt: Date }, now: Date): SilenceState {
  if (now.getTime() < s.startsAt.getTime()) return 'pending';
  if (now.getTime() < s.endsAt.getTime()) return 'active';
  return 'expired';
}

export type Labels = Readonly<Record<string, string>>;
type Test = (value: string) => boolean;

/** A label's value; absent (including names like `constructor` that only the prototype has) is ''. */
const labelValue = (labels: Labels, name: string): string =>
  Object.hasOwn(labels, name) ? labels[name]! : '';

/** A compiled regex matcher: full-match RE2 program, and a literal prefix every match must start with. */
interface Regex {
  program: RE2JS;
  prefix: string;
}

const PLAIN = /^[A-Za-z0-9 _\-/:,=@%#!~"'<>;&]*/;

/**
 * The literal text a full match must begin with, read conservatively: none when the pattern has an alternation
 * anywhere; a quantifier after the literal run takes its last character back (`ab*` only guarantees `a`).
 */
export function literalPrefix(pattern: string): string {
  if (pattern.includes('|')) return '';
  const run = PLAIN.exec(pattern)![0];
  const next = pattern[run.length];
  return next === '*' || next === '?' || next === '{' || next === '+' ? run.slice(0, -1) : run;
}

/**
 * Alertmanager anchors a regex as `^(?:value)$`; RE2's `matches()` is that full match already (and 3x faster than
 * matching the anchored form). A pattern valid on its own means the same either way; one that only parses inside
 * the wrapper (`a)|(b`) is refused. Throws RE2's syntax error for an invalid pattern.
 */
function compileRegex(pattern: string): Regex {
  return { program: RE2JS.compile(pattern), prefix: literalPrefix(pattern) };
}

/** Compiled regexes by pattern, reused across compiles of the silence set. */
export type RegexCache = Map<string, Regex>;

/** Compiles a pattern once per cache; with `previous`, takes its program instead of compiling again. */
function regexIn(regexes: RegexCache, previous?: RegexCache): (pattern: string) => Regex {
  return (pattern) => {
    let re = regexes.get(pattern) ?? previous?.get(pattern);
    if (!re) re = compileRegex(pattern);
    regexes.set(pattern, re);
    return re;
  };
}

function testOf(m: SilenceMatcher, regexFor: (pattern: string) => Regex): Test {
  if (!m.isRegex) return m.isEqual ? (v) => v === m.value : (v) => v !== m.value;
  const re = regexFor(m.value);
  const { program, prefix } = re;
  const full = prefix
    ? (v: string) => v.startsWith(prefix) && program.matches(v)
    : (v: string) => program.matches(v);
  return m.isEqual ? full : (v) => !full(v);
}

/** `name=value` as amtool prints it (`=`, `!=`, `=~`, `!~`). */
export function formatMatcher(m: SilenceMatcher): string {
  const op = m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}

/** A draft silence as the API received it (shape already checked). */
export interface SilenceDraft {
  matchers: SilenceMatcher[];
  startsAt: Date;
  endsAt: Date;
}

const MAX_MATCHERS = 64;

/**
 * Every problem of a draft, each naming its field (`matchers[1].value: invalid regular expression …`).
 * Like Alertmanager: at least one matcher, valid regexes, not every matcher matching the empty string (such a
 * silence would silence every alert), `endsAt` after `startsAt` and not in the past.
 */
export function validateSilence(draft: SilenceDraft, now: Date): string[] {
  const problems: string[] = [];
  if (draft.matchers.length === 0) problems.push('matchers: at least one matcher is required');
  if (draft.matchers.length > MAX_MATCHERS) problems.push(`matchers: at most ${MAX_MATCHERS} matchers`);
  let allMatchEmpty = draft.matchers.length > 0;
  draft.matchers.forEach((m, i) => {
    if (m.name.length === 0) problems.push(`matchers[${i}].name: must not be empty`);
    let test: Test;
    try {
      test = testOf(m, regexIn(new Map()));
    } catch (err) {
      problems.push(`matchers[${i}].value: invalid regular expression: ${(err as Error).message}`);
      allMatchEmpty = false;
      return;
    }
    if (!test('')) allMatchEmpty = false;
  });
  if (allMatchEmpty) {
    problems.push(
      'matchers: every matcher matches the empty string, so this silence would match every alert; add a matcher that requires a label value',
    );
  }
  if (Number.isNaN(draft.startsAt.getTime())) problems.push('startsAt: not a valid time');
  if (Number.isNaN(draft.endsAt.getTime())) problems.push('endsAt: not a valid time');
  else if (draft.endsAt.getTime() <= now.getTime()) problems.push('endsAt: must be in the future');
  if (draft.endsAt.getTime() <= draft.startsAt.getTime()) problems.push('endsAt: must be after startsAt');
  return problems;
}

/** Does one silence's matcher set match these labels (ignoring time)? Compiles on each call: use a set for many. */
export function silenceMatches(matchers: SilenceMatcher[], labels: Labels): boolean {
  const regexFor = regexIn(new Map());
  return matchers.every((m) => testOf(m, regexFor)(labelValue(labels, m.name)));
}

interface CompiledSilence {
  id: string;
  position: number;
  startsAt: number;
  endsAt: number;
  tests: { name: string; test: Test }[];
}

/** A set of silences compiled once: regexes built, silences indexed by one of their `name="value"` matchers. */
export interface CompiledSilences {
  readonly size: number;
  /** The regexes this set compiled, for the next compile to reuse. */
  readonly regexes: RegexCache;
  /** The first silence (in the order given) active at `now` whose matchers all match, or null. */
  match(labels: Labels, now: Date): string | null;
}

const key = (name: string, value: string) => `${name}\u0000${value}`;

/**
 * Compiles silences for matching many alerts. A silence with an equality matcher on a non-empty value can only
 * match alerts carrying that exact label, so it is filed under `name=value` and only alerts with that label try it;
 * the others are tried for every alert. Invalid regexes throw (silences are validated before they are stored).
 */
export function compileSilences(silences: readonly Silence[], previous?: CompiledSilences): CompiledSilences {
  // Reuse the previous set's programs (RE2 compiles cost milliseconds each); keep only the patterns still used.
  const regexes: RegexCache = new Map();
  const regexFor = regexIn(regexes, previous?.regexes);
  const indexed = new Map<string, CompiledSilence[]>();
  const scanned: CompiledSilence[] = [];
  silences.forEach((s, position) => {
    const compiled: CompiledSilence = {
      id: s.id,
      position,
      startsAt: s.startsAt.getTime(),
      endsAt: s.endsAt.getTime(),
      tests: s.matchers.map((m) => ({ name: m.name, test: testOf(m, regexFor) })),
    };
    const anchor = s.matchers.find((m) => m.isEqual && !m.isRegex && m.value !== '');
    if (!anchor) {
      scanned.push(compiled);
      return;
    }
    const k = key(anchor.name, anchor.value);
    const bucket = indexed.get(k);
    if (bucket) bucket.push(compiled);
    else indexed.set(k, [compiled]);
  });

  const matches = (c: CompiledSilence, labels: Labels, t: number) =>
    c.startsAt <= t && t < c.endsAt && c.tests.every(({ name, test }) => test(labelValue(labels, name)));

  return {
    size: silences.length,
    regexes,
    match(labels, now) {
      const t = now.getTime();
      let best: CompiledSilence | null = null;
      const consider = (list: CompiledSilence[]) => {
        for (const c of list) {
          if (best && c.position >= best.position) break; // lists are in position order
          if (matches(c, labels, t)) {
            best = c;
            break;
          }
        }
      };
      if (indexed.size > 0) {
        for (const name of Object.keys(labels)) {
          const bucket = indexed.get(key(name, labels[name]!));
          if (bucket) consider(bucket);
        }
      }
      consider(scanned);
      return (best as CompiledSilence | null)?.id ?? null;
    },
  };
}

/** The id of the first silence active at `now` matching the labels, or null. */
export function matchSilences(labels: Labels, silences: CompiledSilences, now: Date): string | null {
  return silences.match(labels, now);
}
