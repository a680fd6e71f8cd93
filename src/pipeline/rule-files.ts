import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRuleSet } from '../core/rules/load.ts';
import type { LoadRuleSetResult } from '../core/rules/types.ts';

/** The rule files of a directory: `*.yaml` and `*.yml` at its top level, in name order (subfolders hold tests). */
export function readRuleFiles(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => e.name)
    .sort()
    .map((name) => ({ path: join(dir, name), text: readFileSync(join(dir, name), 'utf8') }));
}

export function loadRulesDir(dir: string, componentIds: ReadonlySet<string>): LoadRuleSetResult {
  let files: { path: string; text: string }[];
  try {
    files = readRuleFiles(dir);
  } catch (err) {
    return {
      ok: false,
      problems: [
        {
          file: dir,
          line: 1,
          message: `cannot read rules directory (${(err as NodeJS.ErrnoException).code ?? err})`,
        },
      ],
    };
  }
  return loadRuleSet(files, { componentIds });
}
