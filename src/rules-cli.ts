import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadCatalog } from './catalog.ts';
import { formatProblem, loadRuleSet } from './core/rules/load.ts';
import { formatRuleTestResult, parseRuleTestFile, runRuleTests } from './core/rules/rule-test.ts';
import { loadRulesDir } from './pipeline/rule-files.ts';

function componentIds(): ReadonlySet<string> {
  const file = resolve(process.env.INCIDENTD_CONFIG || 'incidentd.yaml');
  return new Set(loadCatalog(file).components.map((c) => c.id));
}

type Writer = { write(text: string): unknown };

/** `incidentd rules check [DIR]` and `incidentd rules test FILE...`. Returns the exit code. */
export async function rulesCommand(
  args: string[],
  out: Writer = process.stdout,
  err: Writer = process.stderr,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'check') {
    const dir = rest[0] ?? process.env.RULES_DIR ?? 'rules';
    const result = loadRulesDir(dir, componentIds());
    if (!result.ok) {
      for (const p of result.problems) err.write(`${formatProblem(p)}\n`);
      return 1;
    }
    out.write(`${dir}: ${result.rules.rules.length} rules OK\n`);
    return 0;
  }
  if (sub === 'test') {
    if (rest.length === 0) {
      err.write('usage: incidentd rules test FILE...\n');
      return 2;
    }
    const ids = componentIds();
    let failed = 0;
    let passed = 0;
    for (const file of rest) {
      const parsed = parseRuleTestFile(file, readFileSync(file, 'utf8'));
      if (!parsed.ok) {
        for (const p of parsed.problems) err.write(`${formatProblem(p)}\n`);
        failed++;
        continue;
      }
      const ruleFiles = parsed.doc.rule_files.map((f) => {
        const path = resolve(dirname(file), f);
        return { path, text: readFileSync(path, 'utf8') };
      });
      const rules = loadRuleSet(ruleFiles, { componentIds: ids });
      if (!rules.ok) {
        for (const p of rules.problems) err.write(`${formatProblem(p)}\n`);
        failed++;
        continue;
      }
      for (const r of runRuleTests(parsed.doc, rules.rules)) {
        (r.passed ? out : err).write(`${formatRuleTestResult(file, r)}\n`);
        if (r.passed) passed++;
        else failed++;
      }
    }
    out.write(`${passed} passed, ${failed} failed\n`);
    return failed > 0 ? 1 : 0;
  }
  err.write('usage: incidentd rules check [DIR] | incidentd rules test FILE...\n');
  return 2;
}
