import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadCatalog } from './catalog.ts';
import { formatProblem, loadRuleSet } from './core/rules/load.ts';
import { formatRuleTestResult, parseRuleTestFile, runRuleTests } from './core/rules/rule-test.ts';
import type { RuleProblem } from './core/rules/types.ts';
import { loadRulesDir } from './pipeline/rule-files.ts';

function componentIds(): ReadonlySet<string> {
  const file = resolve(process.env.INCIDENTD_CONFIG || 'incidentd.yaml');
  return new Set(loadCatalog(file).components.map((c) => c.id));
}

type Writer = { write(text: string): unknown };

function writeProblems(err: Writer, problems: readonly RuleProblem[]) {
  for (const p of problems) err.write(`${formatProblem(p)}\n`);
}

function checkCommand(dir: string, out: Writer, err: Writer): number {
  const result = loadRulesDir(dir, componentIds());
  if (!result.ok) {
    writeProblems(err, result.problems);
    return 1;
  }
  out.write(`${dir}: ${result.rules.rules.length} rules OK\n`);
  return 0;
}

/** Runs one test file; a file that does not parse, or whose rules do not load, counts as one failure. */
function testFile(file: string, ids: ReadonlySet<string>, out: Writer, err: Writer) {
  const parsed = parseRuleTestFile(file, readFileSync(file, 'utf8'));
  if (!parsed.ok) {
    writeProblems(err, parsed.problems);
    return { passed: 0, failed: 1 };
  }
  const ruleFiles = parsed.doc.rule_files.map((f) => {
    const path = resolve(dirname(file), f);
    return { path, text: readFileSync(path, 'utf8') };
  });
  const rules = loadRuleSet(ruleFiles, { componentIds: ids });
  if (!rules.ok) {
    writeProblems(err, rules.problems);
    return { passed: 0, failed: 1 };
  }
  let passed = 0;
  let failed = 0;
  for (const r of runRuleTests(parsed.doc, rules.rules)) {
    (r.passed ? out : err).write(`${formatRuleTestResult(file, r)}\n`);
    if (r.passed) passed++;
    else failed++;
  }
  return { passed, failed };
}

function testCommand(files: string[], out: Writer, err: Writer): number {
  if (files.length === 0) {
    err.write('usage: incidentd rules test FILE...\n');
    return 2;
  }
  const ids = componentIds();
  let failed = 0;
  let passed = 0;
  for (const file of files) {
    const counts = testFile(file, ids, out, err);
    passed += counts.passed;
    failed += counts.failed;
  }
  out.write(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

/** `incidentd rules check [DIR]` and `incidentd rules test FILE...`. Returns the exit code. */
export async function rulesCommand(
  args: string[],
  out: Writer = process.stdout,
  err: Writer = process.stderr,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'check') return checkCommand(rest[0] ?? process.env.RULES_DIR ?? 'rules', out, err);
  if (sub === 'test') return testCommand(rest, out, err);
  err.write('usage: incidentd rules check [DIR] | incidentd rules test FILE...\n');
  return 2;
}
