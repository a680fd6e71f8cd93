import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import {
  compileSilences,
  formatMatcher,
  literalPrefix,
  matchSilences,
  type Silence,
  type SilenceMatcher,
  silenceMatches,
  silenceState,
  validateSilence,
} from './silence.ts';

const at = (min: number) => new Date(Date.UTC(2026, 10, 29, 10, min));
const eq = (name: string, value: string): SilenceMatcher => ({ name, value, isRegex: false, isEqual: true });
const ne = (name: string, value: string): SilenceMatcher => ({ name, value, isRegex: false, isEqual: false });
const re = (name: string, value: string): SilenceMatcher => ({ name, value, isRegex: true, isEqual: true });
const nre = (name: string, value: string): SilenceMatcher => ({ name, value, isRegex: true, isEqual: false });
const silence = (id: string, matchers: SilenceMatcher[], from = 0, to = 60): Silence => ({
  id,
  matchers,
  startsAt: at(from),
  endsAt: at(to),
});

describe('matchers (Alertmanager semantics)', () => {
  const labels = { alertname: 'DiskFull', env: 'prod', instance: 'db-1:9100' };
  it.each([
    [eq('env', 'prod'), true],
    [eq('env', 'pro'), false],
    [ne('env', 'prod'), false],
    [ne('env', 'staging'), true],
    [re('env', 'pro.'), true],
    [re('env', 'pro'), false], // anchored: ^(?:pro)$
    [re('env', 'staging|prod'), true], // the group keeps the alternation anchored on both sides
    [nre('instance', 'db-.*'), false],
    [nre('instance', 'web-.*'), true],
    [eq('team', ''), true], // absent label = empty string
    [ne('team', ''), false],
    [re('team', '.*'), true],
    [re('team', '.+'), false],
    [eq('constructor', ''), true], // prototype names are absent labels too
  ])('%j → %s', (m, expected) => {
    expect(silenceMatches([m], labels)).toBe(expected);
  });

  it('needs every matcher of a silence', () => {
    expect(silenceMatches([eq('env', 'prod'), eq('alertname', 'DiskFull')], labels)).toBe(true);
    expect(silenceMatches([eq('env', 'prod'), eq('alertname', 'CPU')], labels)).toBe(false);
  });

  it('prints matchers as amtool does', () => {
    expect([eq('a', 'x'), ne('a', 'x'), re('a', 'x'), nre('a', 'x')].map(formatMatcher)).toEqual([
      'a="x"',
      'a!="x"',
      'a=~"x"',
      'a!~"x"',
    ]);
  });
});

describe('silenceState', () => {
  it('is pending before startsAt, active from startsAt, expired from endsAt', () => {
    const s = silence('s', [eq('a', 'b')], 10, 20);
    expect(silenceState(s, at(9))).toBe('pending');
    expect(silenceState(s, at(10))).toBe('active');
    expect(silenceState(s, at(19))).toBe('active');
    expect(silenceState(s, at(20))).toBe('expired');
  });
});

describe('validateSilence', () => {
  const now = at(0);
  const ok = { matchers: [eq('env', 'prod')], startsAt: at(0), endsAt: at(60) };
  it('accepts a plain silence', () => {
    expect(validateSilence(ok, now)).toEqual([]);
  });
  it('names the matcher with an invalid regex', () => {
    const problems = validateSilence({ ...ok, matchers: [eq('env', 'prod'), re('instance', 'db-(')] }, now);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^matchers\[1\]\.value: invalid regular expression: .*missing closing \)/);
  });
  it('refuses no matchers, and matchers that all match the empty string', () => {
    expect(validateSilence({ ...ok, matchers: [] }, now)).toEqual([
      'matchers: at least one matcher is required',
    ]);
    for (const matchers of [[re('env', '.*')], [eq('team', '')], [ne('env', 'prod'), nre('a', 'x')]]) {
      expect(validateSilence({ ...ok, matchers }, now)).toEqual([
        expect.stringMatching(/^matchers: every matcher matches the empty string/),
      ]);
    }
    // One matcher requiring a value is enough.
    expect(validateSilence({ ...ok, matchers: [re('env', '.*'), eq('alertname', 'X')] }, now)).toEqual([]);
  });
  it('refuses an empty label name', () => {
    expect(validateSilence({ ...ok, matchers: [eq('', 'x')] }, now)).toEqual([
      'matchers[0].name: must not be empty',
    ]);
  });
  it('needs endsAt after startsAt and in the future; reports every problem', () => {
    expect(validateSilence({ ...ok, startsAt: at(30), endsAt: at(20) }, now)).toEqual([
      'endsAt: must be after startsAt',
    ]);
    expect(validateSilence({ ...ok, startsAt: at(-30), endsAt: at(-10) }, now)).toEqual([
      'endsAt: must be in the future',
    ]);
    expect(validateSilence({ matchers: [re('a', '[')], startsAt: at(5), endsAt: at(5) }, now)).toHaveLength(
      2,
    );
  });
});

describe('compileSilences / matchSilences', () => {
  it('answers the first silence, in the order given, active at now and matching', () => {
    const set = compileSilences([
      silence('late', [eq('env', 'prod')], 30, 60),
      silence('regex', [re('instance', 'db-.*')]),
      silence('exact', [eq('env', 'prod'), eq('alertname', 'DiskFull')]),
    ]);
    const labels = { alertname: 'DiskFull', env: 'prod', instance: 'db-1' };
    expect(matchSilences(labels, set, at(5))).toBe('regex');
    expect(matchSilences(labels, set, at(30))).toBe('late');
    expect(matchSilences({ ...labels, instance: 'web-1' }, set, at(5))).toBe('exact');
    expect(matchSilences({ env: 'staging' }, set, at(5))).toBeNull();
    expect(matchSilences(labels, set, at(60))).toBeNull(); // all ended
  });

  it('an equality-indexed silence still applies its other matchers', () => {
    const set = compileSilences([silence('s', [eq('env', 'prod'), nre('team', 'db|storage')])]);
    expect(matchSilences({ env: 'prod', team: 'db' }, set, at(1))).toBeNull();
    expect(matchSilences({ env: 'prod', team: 'web' }, set, at(1))).toBe('s');
    expect(matchSilences({ env: 'prod' }, set, at(1))).toBe('s');
  });

  it('matches 1,000 active silences against 10,000 alerts quickly, and agrees with the plain check', () => {
    const silences: Silence[] = [];
    for (let i = 0; i < 1000; i++) {
      const m =
        i % 10 === 0
          ? [re('instance', `host-${i}\\d*`), eq('env', 'prod')]
          : [eq('instance', `host-${i}`), ne('env', 'dev')];
      silences.push(silence(`s${i}`, m));
    }
    const set = compileSilences(silences);
    const alerts = Array.from({ length: 10_000 }, (_, i) => ({
      alertname: 'Up',
      instance: `host-${i % 2000}`,
      env: i % 3 === 0 ? 'dev' : 'prod',
    }));
    const started = performance.now();
    const got = alerts.map((labels) => set.match(labels, at(1)));
    const elapsed = performance.now() - started;
    // The plain check (compiling on each call) on a sample.
    for (let i = 0; i < alerts.length; i += 97) {
      const labels = alerts[i]!;
      const ref = silences.find((s) => silenceMatches(s.matchers, labels))?.id ?? null;
      expect(got[i]).toBe(ref);
    }
    expect(got.filter(Boolean).length).toBeGreaterThan(1000);
    // The regex silences (100) are tried for every alert; the 900 equality ones only for their own instance.
    expect(elapsed).toBeLessThan(2000);
  });

  it('a catastrophic-backtracking pattern against a long label returns fast (RE2: linear time)', () => {
    const set = compileSilences([silence('evil', [re('msg', '(a+)+$'), re('path', '(x|x)*y')])]);
    const labels = { msg: `${'a'.repeat(50_000)}!`, path: 'x'.repeat(50_000) };
    const started = performance.now();
    expect(set.match(labels, at(1))).toBeNull();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('literalPrefix (the prefilter before RE2)', () => {
  it.each([
    ['host-10\\d*', 'host-10'],
    ['db-7.*', 'db-7'],
    ['ab*', 'a'],
    ['ab+c', 'a'],
    ['abc?', 'ab'],
    ['a{2}', ''],
    ['prod|staging', ''],
    ['(?i)prod', ''],
    ['.*x', ''],
  ])('%s → %j', (pattern, prefix) => {
    expect(literalPrefix(pattern)).toBe(prefix);
  });

  it('every full match starts with it (random patterns and values)', () => {
    const piece = fc.constantFrom(
      'a',
      'b',
      '-',
      '1',
      '.',
      '*',
      '+',
      '?',
      '.*',
      '\\d',
      '[ab]',
      '(a|b)',
      '{2}',
      'x|',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), fc.stringMatching(/^[ab1x-]{0,6}$/), (parts, value) => {
        const pattern = parts.join('');
        let program: RE2JS;
        try {
          program = RE2JS.compile(pattern);
        } catch {
          return; // not a valid pattern
        }
        if (program.matches(value)) expect(value.startsWith(literalPrefix(pattern))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('a recompile reuses the programs of the previous set', () => {
    const first = compileSilences([silence('a', [re('instance', 'db-.*')])]);
    const second = compileSilences(
      [silence('a', [re('instance', 'db-.*')]), silence('b', [re('x', 'y+')])],
      first,
    );
    expect(second.regexes.get('db-.*')).toBe(first.regexes.get('db-.*'));
    expect([...second.regexes.keys()].sort()).toEqual(['db-.*', 'y+']);
    // Patterns no longer used are dropped.
    expect([...compileSilences([silence('b', [re('x', 'y+')])], second).regexes.keys()]).toEqual(['y+']);
  });
});
