import { sql } from 'kysely';
import { beforeEach, expect, it } from 'vitest';
import type { RetentionConfig } from '../src/config.ts';
import { RETENTION_LEASE_KEY, runRetention } from '../src/jobs/retention.ts';
import { ManualClock } from '../src/pipeline/ports.ts';
import { insertDeadLetter } from '../src/store/dead-letters.ts';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';
import { type AmAlertSpec, alertmanagerBody } from './support/payloads.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = new Date('2026-09-01T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const SETTINGS: RetentionConfig = {
  deadLettersMs: 30 * DAY,
  alertsMs: 30 * DAY,
  alertEventsMs: 30 * DAY,
  candidateGroupsMs: 7 * DAY,
  incidentsMs: null,
  intervalMs: HOUR,
  batchSize: 500,
  maxBatches: 20,
};

const noise = (instance: string, status: 'firing' | 'resolved' = 'firing'): AmAlertSpec => ({
  labels: { alertname: 'DiskAlmostFull', service: 'unknown-service', severity: 'info', instance },
  status,
});
// Routed by the sample rule regional-database-outage: opens an incident.
const outage = (status: 'firing' | 'resolved' = 'firing'): AmAlertSpec => ({
  labels: {
    alertname: 'PostgresDown',
    service: 'postgres',
    severity: 'critical',
    region: 'r-9',
    customer: 'c-9',
  },
  status,
});
const webhook = (alerts: AmAlertSpec[] | string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
  body: typeof alerts === 'string' ? alerts : alertmanagerBody(alerts),
});

describeEachDatabase('retention in simulated time', ({ store }) => {
  const db = () => store().db;
  const count = async (table: string, where = 'true') =>
    (
      await sql<{
        n: number;
      }>`select count(*)::int as n from ${sql.table(table)} where ${sql.raw(where)}`.execute(db())
    ).rows[0]!.n;

  beforeEach(async () => {
    for (const table of ['incidents', 'alerts', 'dead_letters', 'candidate_groups', 'notification_outbox'])
      await sql`delete from ${sql.table(table)}`.execute(db());
    await sql`delete from settings where key = ${RETENTION_LEASE_KEY}`.execute(db());
  });

  it('prunes old resolved unrouted alerts, alert events and dead letters; keeps incidents, their alerts and recent rows', async () => {
    const clock = new ManualClock(T0);
    const t = await createTestApp(store(), { clock, config: { retention: SETTINGS } });
    // Day 0: an unrouted alert fires and resolves, an outage opens an incident and resolves, a body is refused.
    expect((await t.app.request('/webhooks/alertmanager', webhook([noise('old'), outage()]))).status).toBe(
      200,
    );
    clock.advance(5 * 60_000);
    expect(
      (await t.app.request('/webhooks/alertmanager', webhook([noise('old', 'resolved'), outage('resolved')])))
        .status,
    ).toBe(200);
    expect((await t.app.request('/webhooks/alertmanager', webhook('{ not json'))).status).toBe(400);
    // Day 20: the same again for another unrouted alert, and another refused body.
    clock.set(at(20 * DAY));
    await t.app.request('/webhooks/alertmanager', webhook([noise('recent')]));
    await t.app.request('/webhooks/alertmanager', webhook([noise('recent', 'resolved')]));
    await t.app.request('/webhooks/alertmanager', webhook('{ still not json'));
    // And one that fires since day 0 and never resolved.
    expect(await count('alerts')).toBe(3);
    expect(await count('incidents')).toBe(1);
    const eventIds = async () =>
      (await db().selectFrom('incident_events').select('id').execute()).map((r) => r.id);
    const timeline = await eventIds();

    clock.set(at(31 * DAY));
    await t.runJobs();
    const alerts = (
      await sql<{ instance: string | null; alertname: string }>`
      select labels->>'instance' as instance, labels->>'alertname' as alertname from alerts order by alertname, instance`.execute(
        db(),
      )
    ).rows;
    expect(alerts).toEqual([
      { alertname: 'DiskAlmostFull', instance: 'recent' },
      { alertname: 'PostgresDown', instance: null },
    ]);
    // Events older than 30 days went, those of day 20 stayed; the incident keeps its whole timeline.
    expect(await count('alert_events', `at < '${at(DAY).toISOString()}'`)).toBe(0);
    expect(await count('alert_events')).toBe(2);
    expect(await count('incidents')).toBe(1);
    // (Other jobs of the same tick may add to it: auto-resolve, SLA clocks.)
    expect(await eventIds()).toEqual(expect.arrayContaining(timeline));
    expect(await count('dead_letters')).toBe(1);
    expect(await count('dead_letters', `received_at > '${at(DAY).toISOString()}'`)).toBe(1);
  });

  it('fires once per interval across replicas, and again after the interval', async () => {
    const now = at(40 * DAY);
    for (let i = 0; i < 3; i++) await deadLetter(at(i * HOUR));
    // Two replicas' schedulers tick at the same instant on the same database.
    const runs = await Promise.all([
      runRetention({ db: db(), settings: SETTINGS }, now),
      runRetention({ db: db(), settings: SETTINGS }, now),
    ]);
    expect(runs.filter((r) => r !== null)).toHaveLength(1);
    expect(runs.find((r) => r !== null)!.deleted.deadLetters).toBe(3);
    await deadLetter(at(5 * HOUR));
    expect(
      await runRetention({ db: db(), settings: SETTINGS }, new Date(now.getTime() + HOUR - 1)),
    ).toBeNull();
    expect(await count('dead_letters')).toBe(1);
    const later = await runRetention({ db: db(), settings: SETTINGS }, new Date(now.getTime() + HOUR));
    expect(later?.deleted.deadLetters).toBe(1);
  });

  it('deletes in bounded batches; a run that hits the bound lets the next tick go on', async () => {
    const now = at(40 * DAY);
    for (let i = 0; i < 7; i++) await deadLetter(at(i * 60_000));
    await deadLetter(at(39 * DAY));
    const settings = { ...SETTINGS, batchSize: 2, maxBatches: 2 };
    const first = await runRetention({ db: db(), settings }, now);
    expect(first).toMatchObject({ more: true, deleted: { deadLetters: 4 } });
    const second = await runRetention({ db: db(), settings }, new Date(now.getTime() + 5_000));
    expect(second).toMatchObject({ more: false, deleted: { deadLetters: 3 } });
    expect(await runRetention({ db: db(), settings }, new Date(now.getTime() + 10_000))).toBeNull();
    expect(await count('dead_letters')).toBe(1);
  });

  it('prunes candidate groups long past their expiry, and keeps alerts a live candidate lists or holds waiting', async () => {
    const now = at(40 * DAY);
    await alertRow('listed', at(0));
    await alertRow('free', at(0));
    // Past the candidate's bounded sample of alert ids: found by its waiting mark on the group.
    await alertRow('waiting', at(0));
    await alertRow('waited-in-stale', at(0));
    await sql`update alerts set rule = 'some-rule', group_key = 'live', waiting = true where id = 'waiting'`.execute(
      db(),
    );
    await sql`update alerts set rule = 'some-rule', group_key = 'stale', waiting = true where id = 'waited-in-stale'`.execute(
      db(),
    );
    await candidate('stale', at(-DAY), at(0), []);
    await candidate('live', at(40 * DAY - 60_000), at(40 * DAY + 60_000), ['listed']);
    const run = await runRetention({ db: db(), settings: SETTINGS }, now);
    expect(run?.deleted).toMatchObject({ candidateGroups: 1 });
    expect(
      (await db().selectFrom('candidate_groups').select('group_key').execute()).map((r) => r.group_key),
    ).toEqual(['live']);
    // An alert waiting in a group that is gone is pruned like any other (at the latest by the next run).
    await runRetention({ db: db(), settings: SETTINGS }, new Date(now.getTime() + HOUR));
    expect((await db().selectFrom('alerts').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual([
      'listed',
      'waiting',
    ]);
  });

  it('keeps incidents and their timelines unless asked; then prunes resolved ones with their alerts', async () => {
    const clock = new ManualClock(T0);
    const t = await createTestApp(store(), { clock });
    const declare = async (title: string) => {
      const res = await t.app.request('/api/v1/incidents', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(ADMIN_TOKEN) },
        body: JSON.stringify({ title, severity: 'SEV3' }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const resolvedId = await declare('resolved long ago');
    const openId = await declare('still open');
    await sql`update incidents set state = 'resolved', status = 'resolved', resolved_at = ${at(HOUR)}
      where id = ${resolvedId}`.execute(db());
    await alertRow('of-resolved', at(0), resolvedId);
    const now = at(400 * DAY);
    expect((await runRetention({ db: db(), settings: SETTINGS }, now))?.deleted.incidents).toBe(0);
    expect(await count('incidents')).toBe(2);
    expect(await count('alerts')).toBe(1);
    const settings = { ...SETTINGS, incidentsMs: 365 * DAY };
    const run = await runRetention({ db: db(), settings }, new Date(now.getTime() + HOUR));
    expect(run?.deleted.incidents).toBe(1);
    expect((await db().selectFrom('incidents').select('id').execute()).map((r) => r.id)).toEqual([openId]);
    expect(await count('incident_events', `incident_id = '${resolvedId}'`)).toBe(0);
    expect(await count('incident_events', `incident_id = '${openId}'`)).toBeGreaterThan(0);
    expect(await count('alerts')).toBe(0);
  });

  it('keeps only the first bytes of a large unparseable body, and refuses to replay it', async () => {
    const t = await createTestApp(store(), { config: { deadLetterBodyBytes: 64 } });
    const big = `{ "broken": "${'x'.repeat(300)}`;
    const res = await t.app.request('/webhooks/alertmanager', webhook(big));
    expect(res.status).toBe(400);
    const { dead_letter_id } = (await res.json()) as { dead_letter_id: number };
    const row = await deadLetterRow(dead_letter_id);
    expect(row.body.byteLength).toBe(64);
    expect(row.body_size).toBe(Buffer.byteLength(big));
    expect(row.reason).toContain(`first 64 of ${Buffer.byteLength(big)} bytes kept`);
    const replay = await t.app.request(`/api/v1/dead-letters/${dead_letter_id}/replay`, {
      method: 'POST',
      headers: bearer(ADMIN_TOKEN),
    });
    expect(replay.status).toBe(409);
    // Under the bound: kept whole, replayable as before.
    const small = await t.app.request('/webhooks/alertmanager', webhook('{ short'));
    const { dead_letter_id: smallId } = (await small.json()) as { dead_letter_id: number };
    const smallRow = await deadLetterRow(smallId);
    expect(Buffer.from(smallRow.body).toString()).toBe('{ short');
    expect(smallRow.body_size).toBeNull();
  });

  it('cuts at 256 KiB by default', async () => {
    const id = await deadLetter(T0, new Uint8Array(4_800_000).fill(120));
    const row = await deadLetterRow(id);
    expect(row.body.byteLength).toBe(256 * 1024);
    expect(row.body_size).toBe(4_800_000);
  });

  function deadLetter(receivedAt: Date, body = new Uint8Array([1])) {
    const entry = {
      source: 'alertmanager',
      reason: 'invalid',
      statusCode: 400,
      contentType: null,
      headers: {},
      body,
    };
    return insertDeadLetter(db(), entry, receivedAt);
  }

  function deadLetterRow(id: number) {
    return db().selectFrom('dead_letters').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  async function alertRow(id: string, lastSeen: Date, incidentId: string | null = null) {
    await db()
      .insertInto('alerts')
      .values({
        id,
        source: 'alertmanager',
        fingerprint: id,
        status: 'resolved',
        labels: JSON.stringify({ alertname: id }),
        annotations: '{}',
        title: id,
        starts_at: lastSeen,
        ends_at: lastSeen,
        raw: '{}',
        first_seen_at: lastSeen,
        last_seen_at: lastSeen,
        last_changed_at: lastSeen,
        incident_id: incidentId,
      } as never)
      .execute();
  }

  async function candidate(groupKey: string, firstAt: Date, expiresAt: Date, alertIds: string[]) {
    await sql`insert into candidate_groups (rule, group_key, first_at, expires_at, first_alert_starts_at, alert_ids)
      values ('some-rule', ${groupKey}, ${firstAt}, ${expiresAt}, ${firstAt}, ${JSON.stringify(alertIds)}::jsonb)`.execute(
      db(),
    );
  }
});
