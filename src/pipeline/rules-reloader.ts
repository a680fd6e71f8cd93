import { type FSWatcher, watch } from 'node:fs';
import { formatProblem } from '../core/rules/load.ts';
import type { RuleSet } from '../core/rules/types.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import type { Logger } from './ports.ts';
import { loadRulesDir } from './rule-files.ts';

export interface RulesReloader {
  current(): RuleSet | null;
  /** Validates the whole directory, then swaps atomically; an invalid set is reported and the old one kept. */
  reload(): boolean;
  watch(): void;
  close(): void;
}

export function createRulesReloader(deps: {
  dir: string;
  componentIds: ReadonlySet<string>;
  log: Logger;
  metrics: Metrics;
  onSwap?: (rules: RuleSet) => void;
}): RulesReloader {
  let current: RuleSet | null = null;
  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;

  const reload = () => {
    const result = loadRulesDir(deps.dir, deps.componentIds);
    if (!result.ok) {
      deps.metrics.rulesReloadErrors.inc();
      for (const p of result.problems) deps.log.error(`rules: ${formatProblem(p)}`);
      deps.log.error(
        current ? 'rules: invalid rule set, keeping the last good one' : 'rules: no valid rule set loaded',
        {
          problems: result.problems.length,
        },
      );
      return false;
    }
    current = result.rules;
    deps.metrics.rulesLoaded.set(current.rules.length);
    deps.log.info('rules loaded', { count: current.rules.length, dir: deps.dir });
    deps.onSwap?.(current);
    return true;
  };

  return {
    current: () => current,
    reload,
    watch() {
      try {
        // Editors write files in several steps: wait for the directory to settle before reloading.
        watcher = watch(deps.dir, () => {
          if (timer) clearTimeout(timer);
          timer = setTimeout(reload, 250);
        });
      } catch (err) {
        deps.log.warn('rules: cannot watch directory; reload needs a restart', { dir: deps.dir, error: err });
      }
    },
    close() {
      watcher?.close();
      if (timer) clearTimeout(timer);
    },
  };
}
