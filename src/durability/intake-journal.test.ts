import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type IntakeJournal, openIntakeJournal } from './intake-journal.ts';
import type { IntakeRecord } from './journal-frame.ts';

const record = (n: number): IntakeRecord => ({
  source: 'grafana',
  headers: { 'content-type': 'application/json' },
  receivedAt: new Date(Date.UTC(2026, 10, 29, 12, 0, 0, n)),
  body: new Uint8Array(Buffer.from(JSON.stringify({ n }))),
});
const numbers = (records: IntakeRecord[]) => records.map((r) => JSON.parse(Buffer.from(r.body).toString()).n);

describe('intake journal', () => {
  let dir: string;
  const open: IntakeJournal[] = [];
  const openJournal = async (opts?: Parameters<typeof openIntakeJournal>[1]) => {
    const journal = await openIntakeJournal(dir, opts);
    open.push(journal);
    return journal;
  };
  const segments = async () => (await readdir(dir)).sort();

  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'incidentd-journal-')), 'journal');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((j) => j.close()));
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('gives back, after a crash, every record whose append resolved, in order', async () => {
    const first = await openJournal();
    for (let n = 0; n < 5; n++) await first.append({}, record(n));
    expect(first.pendingBytes()).toBeGreaterThan(0);
    // No checkpoint, no close: as the process left it when it died.
    const next = await openJournal();
    const recovered = await next.recover();
    expect(numbers(recovered.records)).toEqual([0, 1, 2, 3, 4]);
    expect(recovered).toMatchObject({ tornBytes: 0, segments: 1 });
    expect(await segments()).toEqual(['intake-000001.journal', 'intake-000002.journal']);
  });

  it('one fdatasync per append when appends come one at a time', async () => {
    let syncs = 0;
    const journal = await openJournal({ onSynced: () => syncs++ });
    for (let n = 0; n < 10; n++) await journal.append({}, record(n));
    expect(syncs).toBe(10);
  });

  it('group commit: concurrent appends share fdatasyncs, and each resolves only after one that covers it', async () => {
    let syncs = 0;
    const journal = await openJournal({ onSynced: () => syncs++ });
    const syncsBefore = Array.from({ length: 100 }, (_, n) =>
      journal.append({}, record(n)).then(() => syncs),
    );
    const appends = syncsBefore;
    expect((await Promise.all(syncsBefore)).every((seen) => seen > 0)).toBe(true);
    await Promise.all(appends);
    // The first append writes alone; the 99 queued behind it go in one batch (or a few).
    expect(syncs).toBeGreaterThanOrEqual(2);
    expect(syncs).toBeLessThan(10);
    const recovered = await (await openJournal()).recover();
    expect(numbers(recovered.records)).toEqual(Array.from({ length: 100 }, (_, n) => n));
  });

  it('replay skips a torn last record (crash in the middle of an append)', async () => {
    const first = await openJournal();
    await first.append({}, record(1));
    await first.append({}, record(2));
    await first.close();
    // A third frame that only partly reached the disk.
    await appendFile(join(dir, 'intake-000001.journal'), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5, 6]));
    const recovered = await (await openJournal()).recover();
    expect(numbers(recovered.records)).toEqual([1, 2]);
    expect(recovered.tornBytes).toBe(10);
  });

  it('checkpoint waits for the requests of its records, persists, then truncates', async () => {
    const journal = await openJournal();
    const done = {};
    const busy = {};
    await journal.append(done, record(1));
    await journal.append(busy, record(2));
    journal.release(done);
    const events: string[] = [];
    const checkpoint = journal.checkpoint(async () => {
      events.push('persist');
    });
    // Appends during the checkpoint go to the new segment and do not hold it back.
    await journal.append({}, record(3));
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual([]);
    events.push('release');
    journal.release(busy);
    await checkpoint;
    expect(events).toEqual(['release', 'persist']);
    expect(await segments()).toEqual(['intake-000002.journal']);
    const recovered = await (await openJournal()).recover();
    expect(numbers(recovered.records)).toEqual([3]);
  });

  it('keeps the records when persisting fails, and replays them next time', async () => {
    const journal = await openJournal();
    const key = {};
    await journal.append(key, record(1));
    journal.release(key);
    await expect(
      journal.checkpoint(async () => {
        throw new Error('disk gone');
      }),
    ).rejects.toThrow('disk gone');
    await journal.append({}, record(2));
    const recovered = await (await openJournal()).recover();
    expect(numbers(recovered.records)).toEqual([1, 2]);
  });

  it('a checkpoint of an idle journal creates no segment; recovered segments go at the first checkpoint', async () => {
    const first = await openJournal();
    await first.append({}, record(1));
    const second = await openJournal();
    expect(numbers((await second.recover()).records)).toEqual([1]);
    await second.checkpoint(async () => {});
    await second.checkpoint(async () => {});
    expect(await segments()).toEqual(['intake-000002.journal']);
  });
});
