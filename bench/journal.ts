/**
 * Cost of the intake journal (docs/operations.md, Durability): 10-alert Alertmanager webhooks through the
 * in-process app into PGlite on disk (a temporary DATA_DIR, as `npm start` runs), with the journal (append +
 * fdatasync before the 2xx) vs. without it, alternating slices in the same run on the same store. Two loads:
 * one webhook at a time (every webhook pays a whole fdatasync), and 16 in flight (group commit shares them).
 * Then what one checkpoint costs (CHECKPOINT, fsync of the changed data files, journal truncation), which
 * runs every INCIDENTD_JOURNAL_CHECKPOINT_INTERVAL or _BYTES in the background.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openIntakeJournal } from '../src/durability/intake-journal.ts';
import { createTreeSync } from '../src/durability/sync-files.ts';
import { openStore } from '../src/store/db.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { alertmanagerBody } from '../test/support/payloads.ts';
import { createBenchService, INGEST_TOKEN } from './support/app.ts';
import { formatTable, measurePair, type Op } from './support/measure.ts';

const ALERTS = 10;
const MEASURE_MS = 4_000;
const WARMUP_MS = 1_000;

let serial = 0;
function body(): string {
  const n = serial++;
  return alertmanagerBody(
    Array.from({ length: ALERTS }, (_, i) => ({
      labels: { alertname: 'JournalBench', instance: `host-${n}-${i}`, service: 'bench' },
    })),
  );
}

export async function run(): Promise<void> {
  // As `npm start` runs: a DATA_DIR on disk, the journal inside it.
  const dataDir = await mkdtemp(join(tmpdir(), 'incidentd-bench-journal-'));
  const store = await openStore({ databaseUrl: null, dataDir });
  await migrateToLatest(store);
  const journalDir = join(dataDir, 'incidentd-journal');
  const journal = await openIntakeJournal(journalDir);
  try {
    const withJournal = createBenchService(store, journal).app;
    const without = createBenchService(store).app;
    const post = async (app: typeof without) => {
      const res = await app.request('/webhooks/alertmanager', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_TOKEN}` },
        body: body(),
      });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    };
    const webhooks =
      (app: typeof without, inFlight: number): Op =>
      () => ({
        items: ALERTS * inFlight,
        run: () => Promise.all(Array.from({ length: inFlight }, () => post(app))),
      });
    await measurePair(webhooks(withJournal, 1), webhooks(without, 1), { totalMs: WARMUP_MS, slices: 1 });
    const rows: string[][] = [];
    for (const inFlight of [1, 16]) {
      const [on, off] = await measurePair(webhooks(withJournal, inFlight), webhooks(without, inFlight), {
        totalMs: MEASURE_MS,
      });
      rows.push([String(inFlight), on.toFixed(0), off.toFixed(0), (on / off).toFixed(2)]);
    }
    console.log(
      formatTable(
        ['webhooks in flight', 'alerts/s journal on', 'alerts/s journal off (baseline)', 'ratio'],
        rows,
      ),
    );
    // One checkpoint after the load: what the periodic background work costs (the first sync of a run covers
    // every file and is slower; this is a steady-state one).
    const tree = createTreeSync(dataDir, { skip: (path) => path === journalDir });
    const persist = async () => {
      await sql`checkpoint`.execute(store.db);
      return tree.sync();
    };
    await persist();
    await post(withJournal);
    const t0 = performance.now();
    let synced = { files: 0, directories: 0 };
    await journal.checkpoint(async () => {
      synced = await persist();
    });
    console.log(
      `checkpoint after a webhook: ${(performance.now() - t0).toFixed(0)} ms (${synced.files} files, ${synced.directories} directories fsync'ed)`,
    );
  } finally {
    await journal.close();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
