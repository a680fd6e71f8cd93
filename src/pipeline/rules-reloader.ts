import { type FSWatcher, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
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

/** Which directory a path names (device, inode, birth time: a deleted inode is soon reused), or null when gone. */
function identity(path: string): string | null {
  try {
    const s = statSync(path);
    return s.isDirectory() ? `${s.dev}:${s.ino}:${s.birthtimeMs}` : null;
  } catch {
    return null;
  }
}

export function createRulesReloader(deps: {
  dir: string;
  componentIds: ReadonlySet<string>;
  log: Logger;
  metrics: Metrics;
  onSwap?: (rules: RuleSet) => void;
  /** Editors write files in several steps: wait this long for the directory to settle before reloading. */
  settleMs?: number;
  /** How often the directory's identity is checked, in case no watch event says it was replaced. */
  pollMs?: number;
}): RulesReloader {
  const settleMs = deps.settleMs ?? 250;
  const pollMs = deps.pollMs ?? 5000;
  let current: RuleSet | null = null;
  let dirWatcher: FSWatcher | null = null;
  let parentWatcher: FSWatcher | null = null;
  let watched: string | null | undefined; // identity of the directory dirWatcher follows; undefined: none yet
  let timer: NodeJS.Timeout | null = null;
  let poll: NodeJS.Timeout | null = null;
  let closed = false;
  const name = basename(deps.dir);

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

  const scheduleReload = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      // Mid-replacement (`mv rules old`, then `cp -r old rules`): wait for the new directory's events.
      if (identity(deps.dir) !== null) reload();
    }, settleMs);
  };

  // A watch follows an inode: after `mv rules old && cp -r old rules` it would report changes to `old`.
  // So the directory's identity is compared on every event of its parent and on a slow timer, and the
  // watch is re-armed on the new directory (and the rules reloaded) when it was replaced.
  const follow = (changed: () => void) => {
    if (closed) return;
    const now = identity(deps.dir);
    if (now === watched) return;
    dirWatcher?.close();
    dirWatcher = null;
    watched = now;
    if (now === null) {
      deps.log.warn('rules: directory is missing; keeping the loaded rules until it is back', {
        dir: deps.dir,
      });
      return;
    }
    try {
      // An event naming the directory itself says it was moved or deleted: look again at what the path holds.
      dirWatcher = watch(deps.dir, (_event, file) => (file === name ? rearm() : scheduleReload()));
      dirWatcher.on('error', rearm);
    } catch (err) {
      deps.log.warn('rules: cannot watch directory; reload needs a restart', {
        dir: deps.dir,
        error: err,
      });
    }
    changed();
  };
  const refollow = () => follow(scheduleReload);
  const rearm = () => {
    watched = undefined;
    refollow();
  };

  return {
    current: () => current,
    reload,
    watch() {
      closed = false;
      watched = undefined;
      follow(() => {});
      try {
        parentWatcher = watch(dirname(deps.dir), (_event, file) => {
          if (file === null || file === name) refollow();
        });
        parentWatcher.on('error', () => {
          parentWatcher?.close();
          parentWatcher = null;
        });
      } catch {
        // The parent may not be readable; the timer below still notices a replaced directory.
      }
      poll = setInterval(refollow, pollMs);
      poll.unref();
    },
    close() {
      closed = true;
      dirWatcher?.close();
      parentWatcher?.close();
      dirWatcher = null;
      parentWatcher = null;
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      timer = null;
      poll = null;
    },
  };
}
