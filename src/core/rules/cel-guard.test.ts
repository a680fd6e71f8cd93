import { describe, expect, it } from 'vitest';
import { type AlertScope, compileCel, evaluateCel, runCel } from './cel.ts';
import { CEL_EVAL_BUDGET } from './cel-guard.ts';

function program(source: string) {
  const compiled = compileCel(source, 'alert', 'bool');
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.program;
}

const scope = (labels: Record<string, string>): AlertScope => ({
  labels,
  annotations: {},
  source: 'alertmanager',
  status: 'firing',
  title: 't',
});

describe('CEL matches with RE2 semantics', () => {
  it('finds the pattern anywhere in the string, as CEL (RE2 PartialMatch) does', () => {
    const p = program('labels.host.matches("^db-[0-9]+$") && labels.env.matches("ro")');
    expect(runCel(p, scope({ host: 'db-12', env: 'prod' }))).toBe(true);
    expect(runCel(p, scope({ host: 'db-12x', env: 'prod' }))).toBe(false);
    expect(runCel(p, scope({ host: 'db-1', env: 'dev' }))).toBe(false);
  });

  it('runs a backtracking-prone pattern in linear time (JS RegExp: 17 s at 32 characters, doubling)', () => {
    const p = program('labels.name.matches("^([a-z0-9]+-?)+$")');
    // The builtin would not finish this within the test's lifetime.
    const hostile = `${'a'.repeat(5_000)}!`;
    const started = performance.now();
    expect(runCel(p, scope({ name: hostile }))).toBe(false);
    expect(runCel(p, scope({ name: 'web-01-eu' }))).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('refuses at load a literal pattern RE2 cannot compile, pointing at the pattern', () => {
    const backref = compileCel('labels.a.matches("(a)\\\\1")', 'alert', 'bool');
    expect(backref).toMatchObject({ ok: false, offset: 17 });
    expect(!backref.ok && backref.message).toContain('matches: pattern "(a)\\\\1" is not RE2 syntax');
    const lookahead = compileCel('labels.a == "x" || labels.b.matches("(?=a)b")', 'alert', 'bool');
    expect(!lookahead.ok && lookahead.message).toContain('lookaround');
  });

  it('compiles a pattern computed at run time with RE2 too; one RE2 refuses does not match', () => {
    const p = program('labels.a.matches(labels.pattern)');
    expect(runCel(p, scope({ a: 'abc', pattern: 'b+' }))).toBe(true);
    expect(runCel(p, scope({ a: 'aa', pattern: '(a)\\1' }))).toBeUndefined();
    const slow = `${'a'.repeat(5_000)}!`;
    const started = performance.now();
    expect(runCel(p, scope({ a: slow, pattern: '^(a+)+$' }))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('works inside comprehensions (macro expansions are guarded too)', () => {
    const p = program('labels.exists(k, k.matches("^team_") && labels[k].matches("^(a|b)+$"))');
    expect(runCel(p, scope({ team_x: 'abab', other: 'c' }))).toBe(true);
    expect(runCel(p, scope({ team_x: 'abc' }))).toBe(false);
  });
});

describe('CEL evaluation budget', () => {
  const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${i}`, 'v']));

  it('stops nested comprehensions over 3,000 labels in milliseconds, as "exceeded"', () => {
    const p = program('labels.all(a, labels.all(b, labels[a] == labels[b]))');
    const started = performance.now();
    const result = evaluateCel(p, scope(many(3_000)));
    const ms = performance.now() - started;
    expect(result).toEqual({ value: undefined, exceeded: true });
    expect(ms).toBeLessThan(500);
  });

  it('also inside a quantifier that collects step errors (exists), and on the group scope', () => {
    const p = program('labels.exists(a, labels.all(b, labels[b] == "v") && a == "l2999")');
    expect(evaluateCel(p, scope(many(3_000))).exceeded).toBe(true);
    const severity = compileCel('labels.all(a, labels.all(b, true)) ? "SEV1" : "SEV2"', 'group', 'string');
    if (!severity.ok) throw new Error(severity.message);
    const group = { customers: [], alerts: 1, labels: many(3_000) };
    expect(evaluateCel(severity.program, group)).toEqual({ value: undefined, exceeded: true });
  });

  it('leaves ordinary rules alone, each evaluation with a fresh budget', () => {
    const p = program('labels.all(k, labels[k] == "v") && labels.exists(k, k == "l5")');
    for (let i = 0; i < 3; i++)
      expect(evaluateCel(p, scope(many(1_000)))).toEqual({ value: true, exceeded: false });
    // Just under the budget: steps plus iterated elements, per comprehension.
    const n = Math.floor(Math.sqrt(CEL_EVAL_BUDGET / 2)) - 5;
    const nested = program('labels.all(a, labels.all(b, true))');
    expect(evaluateCel(nested, scope(many(n)))).toEqual({ value: true, exceeded: false });
  });
});
