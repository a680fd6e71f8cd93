import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { Logger } from '../pipeline/ports.ts';
import { findSource } from '../sources/find-source.ts';
import { checkpoint as checkpointDatabase, type StoreHandle } from '../store/db.ts';
import { type IntakeJournal, openIntakeJournal } from './intake-journal.ts';
import { createTreeSync } from './sync-files.ts';

/**
 * What a 2xx survives, by engine (docs/operations.md, Durability):
 * - `postgres`: PostgreSQL's own WAL fsync at commit;
 * - `journal`: embedded PGlite on disk, which never fsyncs: the body is in the fdatasync'ed intake journal;
 * - `unsynced`: PGlite on disk with INCIDENTD_JOURNAL=off: a process kill is safe, an OS crash is not;
 * - `memory`: memory://: nothing survives a restart.
 */
export type DurabilityMode = 'postgres' | 'journal' | 'unsynced' | 'memory';

export function durabilityMode(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'journal'>): DurabilityMode {
  if (config.databaseUrl) return 'postgres';
  if (config.dataDir === 'memory://') return 'memory';
  return config.journal?.enabled ? 'journal' : 'unsynced';
}

/** Processes one journaled body again: the function the webhook route and dead-letter replay use. */
export type ProcessBody = (source: string, body: Uint8Array) => Promise<{ status: number }>;

export interface Durability {
  mode: DurabilityMode;
  /** For the webhook route: null unless the mode is `journal`. */
  journal: IntakeJournal | null;
  /** Replays what an earlier run journaled, checkpoints, then starts the periodic checkpoints. */
  recover(process: ProcessBody): Promise<void>;
  /** Last checkpoint and journal close, after the server stopped taking requests and before the store closes. */
  close(): Promise<void>;
}

const JOURNAL_DIR = 'incidentd-journal';
const TICK_MS = 1_000;

export async function openDurability(deps: {
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'journal'> & Partial<Pick<Config, 'catalog'>>;
  store: StoreHandle;
  log: Logger;
}): Promise<Durability> {
  const { config, store, log } = deps;
  const mode = durabilityMode(config);
  announce(mode, config, log);
  if (mode === 'postgres' || mode === 'memory' || !config.journal) {
    return { mode, journal: null, recover: async () => {}, close: async () => {} };
  }
  const settings = config.journal;
  const dir = join(config.dataDir, JOURNAL_DIR);
  // Off: nothing to do, unless a run with the journal on left records behind (they are replayed once).
  if (mode === 'unsynced' && !existsSync(dir)) {
    return { mode, journal: null, recover: async () => {}, close: async () => {} };
  }
  // Opened even when off, so what a run with the journal left behind is still replayed.
  const journal = await openIntakeJournal(dir, {
    ...(settings.testExitAfterJournal ? { onSynced: () => process.kill(process.pid, 'SIGKILL') } : {}),
  });
  const tree = createTreeSync(config.dataDir, { skip: (path) => path === dir });
  // CHECKPOINT writes every dirty page into the data files; the tree sync then makes them (and the WAL,
  // pg_control and directories) durable, after which the journaled bodies are no longer needed.
  const persist = async () => {
    await checkpointDatabase(store.db);
    await tree.sync();
  };
  let timer: NodeJS.Timeout | null = null;
  let lastCheckpoint = Date.now();
  let running = false;
  let background: Promise<unknown> = Promise.resolve();
  const logFailure = (err: unknown) => log.error('journal checkpoint failed', { error: err });
  const checkpoint = async (why: string) => {
    running = true;
    const started = performance.now();
    const bytes = journal.pendingBytes();
    try {
      await journal.checkpoint(persist);
      log.debug('journal checkpoint', { why, bytes, ms: Math.round(performance.now() - started) });
    } finally {
      lastCheckpoint = Date.now();
      running = false;
    }
  };
  return {
    mode,
    journal: mode === 'journal' ? journal : null,
    async recover(processBody) {
      const { records, tornBytes, segments } = await journal.recover();
      let rejected = 0;
      for (const [i, record] of records.entries()) {
        if (!findSource(record.source, config.catalog?.sources ?? [])) {
          log.warn('journal: record of an unknown source skipped', { source: record.source });
          continue;
        }
        try {
          if ((await processBody(record.source, record.body)).status !== 200) rejected++;
        } catch (err) {
          throw new Error(
            `intake journal replay failed at record ${i + 1} of ${records.length} (kept for the next start): ${(err as Error).message}`,
            { cause: err },
          );
        }
      }
      if (segments > 0) {
        log.info('journal replayed', { records: records.length, rejected, torn_bytes: tornBytes });
        if (tornBytes > 0)
          log.warn('journal: a torn last record (crash mid-append, never acknowledged) skipped');
      }
      // In the background: the first sync of a run covers every file (a fresh data directory, or pages a killed
      // run left dirty), which can take seconds; the replayed segments stay until it is done.
      const first = checkpoint('start');
      background = (mode === 'journal' ? first : first.then(() => journal.close())).catch(logFailure);
      if (mode !== 'journal') return;
      timer = setInterval(
        () => {
          if (running) return;
          const full = journal.pendingBytes() >= settings.checkpointBytes;
          if (!full && Date.now() - lastCheckpoint < settings.checkpointIntervalMs) return;
          checkpoint(full ? 'size' : 'interval').catch(logFailure);
        },
        Math.min(TICK_MS, settings.checkpointIntervalMs),
      );
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      await background;
      if (mode !== 'journal') return;
      try {
        await checkpoint('shutdown');
      } catch (err) {
        log.error('journal checkpoint at shutdown failed; the journal is replayed at the next start', {
          error: err,
        });
      }
      await journal.close();
    },
  };
}

function announce(mode: DurabilityMode, config: Pick<Config, 'dataDir' | 'journal'>, log: Logger): void {
  const j = config.journal;
  if (mode === 'postgres') log.info('durability: PostgreSQL (a 2xx follows its fsync at commit)', { mode });
  if (mode === 'memory') log.info('durability: none (memory://): nothing survives a restart', { mode });
  if (mode === 'unsynced') {
    log.warn(
      'durability: PGlite without journal (INCIDENTD_JOURNAL=off): an OS crash or power loss can lose acknowledged alerts',
      { mode },
    );
  }
  if (mode !== 'journal') return;
  log.info('durability: intake journal (fdatasync before each 2xx, checkpoint then truncate)', {
    mode,
    dir: join(config.dataDir, JOURNAL_DIR),
    checkpoint_interval_ms: j?.checkpointIntervalMs,
    checkpoint_bytes: j?.checkpointBytes,
  });
  if (j?.testExitAfterJournal) {
    log.warn('INCIDENTD_TEST_EXIT_AFTER_JOURNAL=1: test-only, the process kills itself after an append');
  }
}
