import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadRuleSet } from './load.ts';
import { sampleComponentIds } from './test-support.ts';

const componentIds = sampleComponentIds();

function load(...texts: string[]) {
  return loadRuleSet(
    texts.map((text, i) => ({ path: `r${i}.yaml`, text })),
    { componentIds },
  );
}

function problems(...texts: string[]): string[] {
  const r = load(...texts);
  if (r.ok) throw new Error('expected problems');
  return r.problems.map(formatProblem);
}

function readDir(dir: string) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
}

describe('loadRuleSet', () => {
  it('loads the sample rules in rules/', () => {
    const r = loadRuleSet(readDir('rules'), { componentIds });
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    expect(r.rules.rules.map((x) => x.name)).toEqual([
      'regional-database-outage',
      'object-storage-latency',
      'api-5xx-burst',
      'auth-degraded',
      'webhook-delivery-failures',
      'email-billing-pipeline',
    ]);
    const db = r.rules.byName.get('regional-database-outage')!;
    expect(db).toMatchObject({ windowMs: 30 * 60_000, resolveAfterMs: 5 * 60_000, publish: 'auto', line: 6 });
  });

  it('reports exactly one FILE:LINE problem per mistake in test/fixtures/bad-rules', () => {
    const r = loadRuleSet(readDir('test/fixtures/bad-rules'), { componentIds });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.problems.map(formatProblem);
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/^test\/fixtures\/bad-rules\/[\w-]+\.yaml:\d+(:\d+)?: .+/);
    expect(lines).toEqual([
      'test/fixtures/bad-rules/01-unknown-key.yaml:4:5: rules[0].grup_by: unknown key',
      'test/fixtures/bad-rules/02-bad-duration.yaml:4:13: rules[0].window: bad duration "30 minutes" (write e.g. 90s, 5m, 1h30m, or 0)',
      'test/fixtures/bad-rules/03-cel-syntax.yaml:3:40: rules[0].match: CEL syntax error: Unexpected token: AND',
      'test/fixtures/bad-rules/04-duplicate-name.yaml:3:11: duplicate rule name "api-errors" (first defined at test/fixtures/bad-rules/03-cel-syntax.yaml:2)',
      'test/fixtures/bad-rules/05-unknown-component.yaml:5:34: unknown component "databse" (not in the catalog)',
    ]);
  });

  it('applies defaults', () => {
    const r = load('rules:\n  - name: x\n    match: "true"\n');
    if (!r.ok) throw new Error('expected ok');
    expect(r.rules.rules[0]).toMatchObject({
      groupBy: [],
      customerLabel: 'customer',
      windowMs: 30 * 60_000,
      severity: { kind: 'constant', value: 'SEV3' },
      resolveAfterMs: 0,
      openWhen: null,
      publish: 'review',
      publicMessage: null,
      title: '{{ alertname }}',
    });
  });

  it('points CEL errors at the column inside double-quoted and block scalars', () => {
    expect(problems('rules:\n  - name: x\n    match: "labels.a == \\"b\\" &&"\n')).toEqual([
      'r0.yaml:3:33: rules[0].match: CEL syntax error: Unexpected token: EOF',
    ]);
    expect(problems('rules:\n  - name: x\n    match: |\n      labels.a == "b" ||\n        ) true\n')).toEqual(
      ['r0.yaml:5:9: rules[0].match: CEL syntax error: Unexpected token: RPAREN'],
    );
    expect(problems('rules:\n  - name: x\n    match: labels.a == )\n')).toEqual([
      'r0.yaml:3:24: rules[0].match: CEL syntax error: Unexpected token: RPAREN',
    ]);
  });

  it('type-checks CEL against the variables each field sees', () => {
    expect(problems('rules:\n  - name: x\n    match: lables.a == "b"\n')[0]).toBe(
      'r0.yaml:3:12: rules[0].match: CEL type error: Unknown variable: lables',
    );
    expect(problems('rules:\n  - name: x\n    match: "true"\n    open_when: size(customers)\n')[0]).toBe(
      'r0.yaml:4:16: rules[0].open_when: CEL expression must return bool, not int',
    );
    // match sees the alert, not the group.
    expect(problems('rules:\n  - name: x\n    match: alerts > 1\n')[0]).toContain('Unknown variable: alerts');
    expect(problems('rules:\n  - name: x\n    match: "true"\n    severity: SEV9\n')[0]).toContain(
      'rules[0].severity: CEL type error: Unknown variable: SEV9',
    );
  });

  it('checks title placeholders, enums, required keys, publish auto without a message, YAML syntax', () => {
    expect(problems('rules:\n  - name: x\n    match: "true"\n    title: "{{ region }}"\n')).toEqual([
      'r0.yaml:4:12: rules[0].title: unknown placeholder {{ region }} (use group_by labels or alertname)',
    ]);
    expect(problems('rules:\n  - name: x\n    match: "true"\n    publish: yes-please\n')).toEqual([
      'r0.yaml:4:14: rules[0].publish: expected one of review, auto, got "yes-please"',
    ]);
    expect(problems('rules:\n  - name: x\n')).toEqual(['r0.yaml:2:5: rules[0].match: missing required key']);
    expect(problems('rules:\n  - name: x\n    match: "true"\n    publish: auto\n')).toEqual([
      'r0.yaml:4:14: rules[0].publish: publish: auto needs a public_message',
    ]);
    expect(problems('rules:\n  - name: x\n   match: [\n')[0]).toMatch(/^r0\.yaml:3:\d+: YAML: /);
    expect(problems('rulez: []\n')).toEqual(['r0.yaml:1:1: rulez: unknown key']);
  });

  it('loads files in name order and rules in file order, and accepts an empty file', () => {
    const r = loadRuleSet(
      [
        { path: 'b.yaml', text: 'rules:\n  - name: b1\n    match: "true"\n' },
        {
          path: 'a.yaml',
          text: 'rules:\n  - name: a1\n    match: "true"\n  - name: a2\n    match: "true"\n',
        },
        { path: 'c.yaml', text: '' },
      ],
      { componentIds },
    );
    if (!r.ok) throw new Error('expected ok');
    expect(r.rules.rules.map((x) => x.name)).toEqual(['a1', 'a2', 'b1']);
  });

  it('reports every problem of a file, not the first: all fields, all rules, checks on the valid fields', () => {
    const text = [
      'rules:',
      '  - name: api-errors', // 2
      '    match: labels.a == "b"',
      '    window: soon', // 4: bad duration
      '    grup_by: [x]', // 5: unknown key
      '    components: [nope]', // 6: unknown component, checked although the rule is invalid
      '  - name: second', // 7
      '    match: "labels.a == &&"', // 8: CEL error in a file that has schema problems
      '    publish: sometimes', // 9
      '  - name: api-errors', // 10: duplicate of an invalid first occurrence
      '    match: "true"',
      '',
    ].join('\n');
    expect(problems(text)).toEqual([
      'r0.yaml:4:13: rules[0].window: bad duration "soon" (write e.g. 90s, 5m, 1h30m, or 0)',
      'r0.yaml:5:5: rules[0].grup_by: unknown key',
      'r0.yaml:6:18: unknown component "nope" (not in the catalog)',
      'r0.yaml:8:25: rules[1].match: CEL syntax error: Unexpected token: AND',
      'r0.yaml:9:14: rules[1].publish: expected one of review, auto, got "sometimes"',
      'r0.yaml:10:11: duplicate rule name "api-errors" (first defined at r0.yaml:2)',
    ]);
  });

  it('a duplicate across files is reported even when the first occurrence is invalid', () => {
    expect(
      problems(
        'rules:\n  - name: x\n    match: "true"\n    bogus: 1\n',
        'rules:\n  - name: x\n    match: "true"\n',
      ),
    ).toEqual([
      'r0.yaml:4:5: rules[0].bogus: unknown key',
      'r1.yaml:2:11: duplicate rule name "x" (first defined at r0.yaml:2)',
    ]);
  });

  it('a rule that is not a mapping, and a missing match, are problems next to the others', () => {
    expect(
      problems('rules:\n  - just-a-string\n  - name: y\n  - name: z\n    match: "true"\n    window: 1y\n'),
    ).toEqual([
      'r0.yaml:2:5: rules[0]: expected a mapping (name: …, match: …)',
      'r0.yaml:3:5: rules[1].match: missing required key',
      'r0.yaml:6:13: rules[2].window: bad duration "1y" (write e.g. 90s, 5m, 1h30m, or 0)',
    ]);
  });

  it('a matches pattern RE2 cannot run (backreference, lookaround) is a FILE:LINE:COLUMN problem naming it', () => {
    expect(problems('rules:\n  - name: x\n    match: \'labels.a.matches("(a)\\\\1")\'\n')).toEqual([
      'r0.yaml:3:30: rules[0].match: matches: pattern "(a)\\\\1" is not RE2 syntax (invalid escape sequence: `\\1`); backreferences and lookaround are not supported',
    ]);
    const [lookahead] = problems('rules:\n  - name: x\n    match: labels.a.matches("^(?!test)")\n');
    expect(lookahead).toMatch(
      /^r0\.yaml:3:29: rules\[0\]\.match: matches: pattern "\^\(\?!test\)" is not RE2 syntax/,
    );
  });

  it('formats problems with and without a column', () => {
    expect(formatProblem({ file: 'f.yaml', line: 3, message: 'm' })).toBe('f.yaml:3: m');
    expect(formatProblem({ file: 'f.yaml', line: 3, column: 7, message: 'm' })).toBe('f.yaml:3:7: m');
  });
});
