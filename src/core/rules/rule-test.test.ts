import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadRuleSet } from './load.ts';
import { formatRuleTestResult, parseRuleTestFile, runRuleTests } from './rule-test.ts';
import { sampleComponentIds } from './test-support.ts';

const componentIds = sampleComponentIds();

/** What `incidentd rules test` does around the pure runner: read the test file and its rule files. */
function runFile(path: string) {
  const parsed = parseRuleTestFile(path, readFileSync(path, 'utf8'));
  if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
  const files = parsed.doc.rule_files.map((f) => {
    const p = join(dirname(path), f);
    return { path: p, text: readFileSync(p, 'utf8') };
  });
  const rules = loadRuleSet(files, { componentIds });
  if (!rules.ok) throw new Error(rules.problems.map(formatProblem).join('\n'));
  return runRuleTests(parsed.doc, rules.rules);
}

const testFiles = readdirSync('rules/tests').filter((f) => f.endsWith('.yaml'));

describe('rules/tests/*.yaml', () => {
  it('has test files', () => expect(testFiles.length).toBeGreaterThan(0));
  for (const f of testFiles) {
    it(f, () => {
      const results = runFile(join('rules/tests', f));
      const failed = results.filter((r) => !r.passed);
      expect(failed.map((r) => formatRuleTestResult(f, r)).join('\n')).toBe('');
    });
  }
});

const rulesYaml = `rules:
  - name: db
    match: 'labels.service == "postgres"'
    group_by: [region]
    severity: 'size(customers) >= 2 ? "SEV1" : "SEV2"'
    title: 'DB down in {{ region }}'
    resolve_after: 5m
`;

function run(testYaml: string) {
  const parsed = parseRuleTestFile('t.yaml', testYaml);
  if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
  const rules = loadRuleSet([{ path: 'r.yaml', text: rulesYaml }], { componentIds });
  if (!rules.ok) throw new Error('rules');
  return runRuleTests(parsed.doc, rules.rules);
}

describe('runRuleTests', () => {
  it('produces a readable expected-vs-got diff', () => {
    const [r] = run(`rule_files: [r.yaml]
tests:
  - name: wrong expectations
    alerts:
      - { at: 0m, labels: { service: postgres, region: eu, customer: a } }
      - { at: 1m, labels: { service: postgres, region: us } }
    expect:
      - { title: DB down in eu, severity: SEV1, customers: [a, b], state: open }
`);
    expect(r!.passed).toBe(false);
    expect(formatRuleTestResult('t.yaml', r!)).toBe(
      [
        'FAIL t.yaml: wrong expectations',
        '  expected 1 incident(s), got 2',
        '  incident 1 severity: expected "SEV1", got "SEV2"',
        '  incident 1 customers: expected [a, b], got [a]',
        '  unexpected incident: "DB down in us" (SEV2, open, customers [])',
      ].join('\n'),
    );
  });

  it('simulates time: auto-resolve at eval_at, dedup of resends by fingerprint', () => {
    const [r] = run(`rule_files: [r.yaml]
tests:
  - name: resolves
    eval_at: 10m
    alerts:
      - { at: 0m, labels: { service: postgres, region: eu, customer: a } }
      - { at: 1m, labels: { service: postgres, region: eu, customer: a } }
      - { at: 2m, status: resolved, labels: { service: postgres, region: eu, customer: a } }
    expect:
      - { state: resolved, alert_count: 1, customers: [a] }
`);
    expect(r!.diff).toEqual([]);
    expect(r!.incidents[0]!.resolvedAt?.toISOString()).toBe('2026-01-01T00:10:00.000Z');
  });

  it('rejects malformed test files with positions', () => {
    const parsed = parseRuleTestFile(
      't.yaml',
      'rule_files: [r.yaml]\ntests:\n  - name: x\n    alerts: []\n    expekt: []\n',
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map(formatProblem)).toEqual([
      't.yaml:3:5: tests[0].expect: missing required key',
      't.yaml:5:5: tests[0].expekt: unknown key',
    ]);
  });
});
