import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Catalog } from '../src/catalog.ts';
import { type JournalConfig, loadConfig } from '../src/config.ts';
import { type Durability, durabilityMode, openDurability } from '../src/durability/durability.ts';
import { decodeFrames } from '../src/durability/journal-frame.ts';
import { silentLogger } from '../src/logger.ts';
import { openStore, type StoreHandle } from '../src/store/db.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { createTestApp, INGEST_TOKEN, ROOT, sendAlertmanager } from './support/app.ts';
import { sampleCatalogWith } from './support/catalog.ts';
import { createMigratedDataDir } from './support/databases.ts';
import { alertmanagerBody } from './support/payloads.ts';

// The journal over a real embedded store on disk, wired as main.ts wires it: the route appends before it
// ingests, and what a crashed run left behind is replayed through the route's own processing.
const journalOn: JournalConfig = {
  enabled: true,
  checkpointBytes: 1024 * 1024,
  checkpointIntervalMs: 60_000,
  testExitAfterJournal: false,
};

describe('intake journal on embedded PGlite', { timeout: 90_000 }, () => {
  let dataDir: string;
  const cleanup: (() => Promise<void>)[] = [];
  const journalDir = () => join(dataDir, 'incidentd-journal');

  /** A store, its durability and the app, as one run of incidentd over `dataDir`. */
  const run = async (catalog?: Catalog) => {
    const store: StoreHandle = await openStore({ databaseUrl: null, dataDir });
    await migrateToLatest(store);
    const config = { databaseUrl: null, dataDir, journal: journalOn, ...(catalog ? { catalog } : {}) };
    const durability: Durability = await openDurability({ config, store, log: silentLogger });
    const service = await createTestApp(store, {
      journal: durability.journal,
      ...(catalog ? { config: { catalog } } : {}),
    });
    let closed = false;
    const stop = async (clean: boolean) => {
      if (closed) return;
      closed = true;
      if (clean) await durability.close();
      await store.close();
    };
    cleanup.push(() => stop(false));
    return { store, durability, service, stop };
  };
  const post = sendAlertmanager;
  const alertCount = async (store: StoreHandle) =>
    (await store.db.selectFrom('alerts').select(['fingerprint', 'status']).execute()).length;

  // initdb is slow on a busy machine: once per file, then each test gets a copy of the migrated directory.
  let template: string;
  beforeAll(async () => {
    template = await createMigratedDataDir('incidentd-journal-template-');
  }, 180_000);
  afterAll(() => rm(template, { recursive: true, force: true }));
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'incidentd-journal-db-'));
    await cp(template, dataDir, { recursive: true });
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is on for PGlite on disk only', () => {
    expect(durabilityMode({ databaseUrl: null, dataDir, journal: journalOn })).toBe('journal');
    expect(durabilityMode({ databaseUrl: null, dataDir, journal: { ...journalOn, enabled: false } })).toBe(
      'unsynced',
    );
    expect(durabilityMode({ databaseUrl: null, dataDir: 'memory://', journal: journalOn })).toBe('memory');
    expect(durabilityMode({ databaseUrl: 'postgres://x/y', dataDir, journal: journalOn })).toBe('postgres');
    // From the environment: on by default, off on request, anything else is an error naming the variable.
    expect(loadConfig({}, ROOT).journal).toEqual({
      ...journalOn,
      checkpointBytes: 16 * 1024 * 1024,
      checkpointIntervalMs: 30_000,
    });
    expect(loadConfig({ INCIDENTD_JOURNAL: 'off' }, ROOT).journal?.enabled).toBe(false);
    expect(() => loadConfig({ INCIDENTD_JOURNAL: 'maybe' }, ROOT)).toThrow(
      /INCIDENTD_JOURNAL: expected on or off/,
    );
    expect(
      loadConfig({ INCIDENTD_JOURNAL_CHECKPOINT_INTERVAL: '5s' }, ROOT).journal?.checkpointIntervalMs,
    ).toBe(5_000);
  });

  it('the webhook route appends the body, with its source and headers, before it answers', async () => {
    const { service, durability } = await run();
    await durability.recover(service.replay);
    const body = alertmanagerBody([{ labels: { alertname: 'DiskFull', instance: 'db-1' } }]);
    const res = await post(service.app, body);
    expect(res.status).toBe(200);
    const files = (await readdir(journalDir())).filter((f) => f.endsWith('.journal'));
    const records = (
      await Promise.all(files.map(async (f) => decodeFrames(await readFile(join(journalDir(), f)))))
    ).flatMap((d) => d.records);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      source: 'alertmanager',
      headers: { 'content-type': 'application/json' },
    });
    expect(Buffer.from(records[0]!.body).toString('utf8')).toBe(body);
    // Never the credential.
    expect(JSON.stringify(records[0]!.headers)).not.toContain(INGEST_TOKEN);
  });

  it('replays, at the next start, what a crash left between the append and the commit; idempotently', async () => {
    const first = await run();
    await first.durability.recover(first.service.replay);
    // Acknowledged and committed:
    expect(
      (await post(first.service.app, alertmanagerBody([{ labels: { alertname: 'A', instance: '1' } }])))
        .status,
    ).toBe(200);
    // Journaled, then the process died before ingest (what INCIDENTD_TEST_EXIT_AFTER_JOURNAL does):
    const lost = alertmanagerBody([{ labels: { alertname: 'B', instance: '2' } }]);
    await first.durability.journal!.append(
      {},
      {
        source: 'alertmanager',
        headers: {},
        receivedAt: new Date(),
        body: new Uint8Array(Buffer.from(lost)),
      },
    );
    expect(await alertCount(first.store)).toBe(1);
    await first.stop(false);

    const second = await run();
    await second.durability.recover(second.service.replay);
    // Both records replayed: B is new, A (already committed) is a repeat that changes nothing.
    const alerts = await second.store.db
      .selectFrom('alerts')
      .select(['title', 'seen_count'])
      .orderBy('title')
      .execute();
    expect(alerts.map((a) => a.title)).toEqual(['A on 1', 'B on 2']);
    // The replayed segment goes once the start checkpoint has made the database durable.
    await second.stop(true);
    const left = await readdir(journalDir());
    const leftRecords = (
      await Promise.all(left.map(async (f) => decodeFrames(await readFile(join(journalDir(), f))).records))
    ).flat();
    expect(leftRecords).toEqual([]);

    const third = await run();
    await third.durability.recover(third.service.replay);
    expect(await alertCount(third.store)).toBe(2);
  });

  it('keeps a custom source form body as its JSON equivalent, and replays custom sources at start', async () => {
    const catalog = sampleCatalogWith({
      sources: [{ name: 'probe', fingerprint: 'body.id', labels: { id: 'body.id', state: 'body.state' } }],
    });
    const first = await run(catalog);
    await first.durability.recover(first.service.replay);
    const res = await first.service.app.request('/webhooks/custom/probe', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Bearer ${INGEST_TOKEN}`,
      },
      body: 'id=p-1&state=down',
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const files = (await readdir(journalDir())).filter((f) => f.endsWith('.journal'));
    const records = (
      await Promise.all(files.map(async (f) => decodeFrames(await readFile(join(journalDir(), f)))))
    ).flatMap((d) => d.records);
    expect(records.map((r) => [r.source, Buffer.from(r.body).toString('utf8')])).toEqual([
      ['custom/probe', '{"id":"p-1","state":"down"}'],
    ]);
    // Journaled, then the process died before ingest:
    const lost = new Uint8Array(Buffer.from('{"id":"p-2","state":"down"}'));
    await first.durability.journal!.append(
      {},
      { source: 'custom/probe', headers: {}, receivedAt: new Date(), body: lost },
    );
    await first.stop(false);
    const second = await run(catalog);
    await second.durability.recover(second.service.replay);
    const alerts = await second.store.db
      .selectFrom('alerts')
      .select(['source', 'fingerprint'])
      .orderBy('fingerprint')
      .execute();
    expect(alerts).toEqual([
      { source: 'custom/probe', fingerprint: 'p-1' },
      { source: 'custom/probe', fingerprint: 'p-2' },
    ]);
  });

  it('a clean shutdown checkpoints and truncates the journal', async () => {
    const { service, durability, stop } = await run();
    await durability.recover(service.replay);
    for (let i = 0; i < 3; i++) {
      const res = await post(
        service.app,
        alertmanagerBody([{ labels: { alertname: `C${i}`, instance: 'x' } }]),
      );
      expect(res.status).toBe(200);
    }
    expect(durability.journal!.pendingBytes()).toBeGreaterThan(0);
    await stop(true);
    for (const f of await readdir(journalDir())) {
      expect(decodeFrames(await readFile(join(journalDir(), f))).records, f).toEqual([]);
    }
  });
});
