import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDataDir } from '../support/databases.ts';
import { type RunningIncidentd, randomTokens, startIncidentd } from './support/incidentd.ts';
import { delivery, outageAlert } from './support/load.ts';
import { waitFor, which } from './support/processes.ts';

// Durability of a 2xx on embedded PGlite (docs/operations.md, Durability). PGlite never calls fsync; the
// intake journal does, before each answer. strace counts the syncs of the real server; a process that
// dies between the journal append and the commit (test-only fault injection) still has the alert after
// a restart.
const tokens = randomTokens();
const strace = which('strace');
if (!strace)
  console.warn('journal e2e: strace is not installed (CI installs it): the fsync-count tests are skipped');

// initdb takes most of a minute on a busy machine: once per file, then each server gets a copy.
let template: string;
const scratch: string[] = [];
beforeAll(async () => {
  template = await createMigratedDataDir('incidentd-journal-e2e-template-');
}, 240_000);
afterAll(async () => {
  for (const dir of [template, ...scratch]) await rm(dir, { recursive: true, force: true });
});
async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'incidentd-journal-e2e-'));
  scratch.push(dir);
  await cp(template, dir, { recursive: true });
  return dir;
}

let serial = 0;
const fresh = () => delivery([outageAlert(serial % 5, 1000 + serial++)]);

async function post(server: RunningIncidentd, body: string): Promise<number> {
  const res = await fetch(`${server.url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.ingest}` },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

interface SyncCounts {
  /** fdatasync of an intake journal segment. */
  journal: number;
  /** fsync or fdatasync of anything else (the data directory at a checkpoint). */
  other: number;
  lines: string[];
}

/** Counts the syncs in an `strace -f -y -e trace=fsync,fdatasync -o FILE` log. */
async function countSyncs(file: string): Promise<SyncCounts> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => /\b(fsync|fdatasync)\(/.test(l));
  const journal = lines.filter((l) => /fdatasync\(\d+<[^>]*incidentd-journal\/intake-\d+\.journal>/.test(l));
  return { journal: journal.length, other: lines.length - journal.length, lines };
}

// Each test starts a server on a fresh data directory (initdb), under strace: minutes on a busy machine.
describe.skipIf(!strace)('syncs of the real server, counted by strace', { timeout: 240_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'incidentd-strace-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const traced = async (name: string, env: Record<string, string>) =>
    startIncidentd(tokens, {
      name,
      dataDir: await freshDataDir(),
      wrap: [strace!, '-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync', '-o', join(dir, `${name}.trace`)],
      env: { LOG_LEVEL: 'warn', ...env },
    });

  it('journal on: one fdatasync per webhook sent alone, fewer than one each for concurrent ones', async () => {
    const server = await traced('journal-on', { INCIDENTD_JOURNAL_CHECKPOINT_INTERVAL: '2s' });
    const SEQUENTIAL = 20;
    const CONCURRENT = 40;
    try {
      for (let i = 0; i < SEQUENTIAL; i++) expect(await post(server, fresh().body)).toBe(200);
      const statuses = await Promise.all(
        Array.from({ length: CONCURRENT }, () => post(server, fresh().body)),
      );
      expect(statuses.every((s) => s === 200)).toBe(true);
      // A periodic checkpoint (every 2 s here) fsyncs the data directory, then truncates the journal.
      await sleep(3_000);
    } finally {
      await server.stop();
    }
    const counts = await countSyncs(join(dir, 'journal-on.trace'));
    console.log(
      `journal on: ${SEQUENTIAL} sequential + ${CONCURRENT} concurrent webhooks acknowledged; ` +
        `${counts.journal} journal fdatasyncs, ${counts.other} other fsync/fdatasync (checkpoints, directories)`,
    );
    // Every acknowledged batch had its own fdatasync: at least one per sequential webhook, plus one or more
    // for the concurrent ones; group commit made the concurrent ones share.
    expect(counts.journal).toBeGreaterThanOrEqual(SEQUENTIAL + 1);
    expect(counts.journal).toBeLessThan(SEQUENTIAL + CONCURRENT);
    expect(counts.other).toBeGreaterThan(0);
  });

  it('journal off: the documented count, zero syncs for acknowledged webhooks', async () => {
    const server = await traced('journal-off', { INCIDENTD_JOURNAL: 'off' });
    const N = 20;
    try {
      for (let i = 0; i < N; i++) expect(await post(server, fresh().body)).toBe(200);
    } finally {
      await server.stop();
    }
    const counts = await countSyncs(join(dir, 'journal-off.trace'));
    console.log(
      `journal off: ${N} webhooks acknowledged, ${counts.lines.length} fsync/fdatasync in the whole run`,
    );
    // PGlite (fsync off, no fsync in its Node file layer) never syncs: this is what the journal fixes.
    expect(counts.lines).toEqual([]);
  });
});

describe('a process killed between the journal append and the commit', { timeout: 300_000 }, () => {
  let dataDir: string;
  const servers: RunningIncidentd[] = [];
  beforeAll(async () => {
    dataDir = await freshDataDir();
  });
  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => s.stop()));
  });

  it('has the alert after a restart', async () => {
    // Test-only fault injection: SIGKILL of itself right after the journal's fdatasync, before ingest.
    const doomed = await startIncidentd(tokens, {
      name: 'doomed',
      dataDir,
      env: { INCIDENTD_TEST_EXIT_AFTER_JOURNAL: '1' },
    });
    servers.push(doomed);
    const alert = fresh();
    const answer = await post(doomed, alert.body).catch((err: Error) => err);
    expect(answer, 'the webhook must not be answered: the process dies first').toBeInstanceOf(Error);
    await waitFor('the killed server to be gone', async () => (doomed.process.exited() ? true : undefined), {
      timeoutMs: 10_000,
    });
    // tsx reports its child's SIGKILL as exit code 137 (128 + 9).
    expect(doomed.process.output()).toMatch(/exited: (SIGKILL|code 137)/);

    const restarted = await startIncidentd(tokens, { name: 'restarted', dataDir });
    servers.push(restarted);
    const res = await fetch(`${restarted.url}/api/v1/alerts?source=alertmanager`, {
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    expect(res.status).toBe(200);
    const listed = JSON.stringify(await res.json());
    for (const fingerprint of alert.fingerprints) expect(listed).toContain(fingerprint);
    expect(restarted.process.output()).toContain('journal replayed');
  });
});
