import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { insertDeadLetter } from '../src/store/dead-letters.ts';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';
import { loadFixtures } from './support/fixtures.ts';
import { alertmanagerBody } from './support/payloads.ts';

const fixtures = loadFixtures();
const post = (body: string, headers: Record<string, string> = bearer(INGEST_TOKEN)) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body,
});

describe('fixtures', () => {
  it('cover every source', () => {
    expect(new Set(fixtures.map((f) => f.source))).toEqual(new Set(['alertmanager', 'grafana', 'datadog']));
  });
});

describeEachDatabase('webhook ingest', ({ store }) => {
  it.each(fixtures.map((f) => [`${f.source}/${f.name}`, f] as const))('ingests %s', async (_, fixture) => {
    const { app } = await createTestApp(store());
    let accepted = 0;
    for (const body of fixture.bodies) {
      const res = await app.request(`/webhooks/${fixture.source}`, post(body));
      expect(res.status, await res.clone().text()).toBe(200);
      accepted += ((await res.json()) as { accepted: number }).accepted;
    }
    expect(accepted).toBe(fixture.alertCount);
  });

  it('stores Alertmanager alerts firing then resolved, one row per fingerprint', async () => {
    const { app } = await createTestApp(store());
    // The store is shared by the block: give the captured alert a fingerprint no other test used.
    const fp = 'aaaabbbbccccdddd';
    const withFp = (name: string) =>
      fixtures.find((f) => f.name.startsWith(name))!.bodies[0]!.replaceAll('6080603cf6611c55', fp);
    const firing = withFp('alertmanager-0.25-01');
    const resolved = withFp('alertmanager-0.25-04');
    expect((await app.request('/webhooks/alertmanager', post(firing))).status).toBe(200);
    const row1 = await store()
      .db.selectFrom('alerts')
      .selectAll()
      .where('fingerprint', '=', fp)
      .executeTakeFirstOrThrow();
    expect(row1.status).toBe('firing');
    expect(row1.ends_at).toBeNull();
    const res = await app.request('/webhooks/alertmanager', post(resolved));
    expect(await res.json()).toMatchObject({ accepted: 1 });
    const rows = await store().db.selectFrom('alerts').selectAll().where('fingerprint', '=', fp).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('resolved');
    const events = await store()
      .db.selectFrom('alert_events')
      .selectAll()
      .where('alert_id', '=', rows[0]!.id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.status)).toEqual(['firing', 'resolved']);
  });

  it('is idempotent: the same body twice, and concurrently, leaves the rows of one delivery', async () => {
    const { app } = await createTestApp(store());
    const body = fixtures.find((f) => f.name.startsWith('oncall-grafana'))!.bodies[0]!;
    const snapshot = async () =>
      (
        await sql<{
          fingerprint: string;
          status: string;
          starts_at: Date;
          ends_at: Date | null;
          labels: unknown;
        }>`
          select fingerprint, status, starts_at, ends_at, labels from alerts where source = 'grafana' order by fingerprint`.execute(
          store().db,
        )
      ).rows;
    expect((await app.request('/webhooks/grafana', post(body))).status).toBe(200);
    const once = await snapshot();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => app.request('/webhooks/grafana', post(body))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(await snapshot()).toEqual(once);
    const events = await sql<{
      n: number;
    }>`select count(*)::int as n from alert_events e join alerts a on a.id = e.alert_id where a.source = 'grafana'`.execute(
      store().db,
    );
    expect(events.rows[0]!.n).toBe(once.length);
  });

  it('batches: a 500-alert body is committed in one request', async () => {
    const { app } = await createTestApp(store());
    const alerts = Array.from({ length: 500 }, (_, i) => ({
      status: 'firing',
      labels: { alertname: 'Batch', instance: `host-${i}` },
      annotations: {},
      startsAt: '2026-11-01T09:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: `batch${String(i).padStart(11, '0')}`,
    }));
    const body = JSON.stringify({
      version: '4',
      status: 'firing',
      receiver: 'r',
      groupKey: '{}:{}',
      alerts,
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: '',
    });
    const res = await app.request('/webhooks/alertmanager', post(body));
    expect(await res.json()).toMatchObject({ accepted: 500, new: 500 });
    const n = await sql<{
      n: number;
    }>`select count(*)::int as n from alerts where fingerprint like 'batch%'`.execute(store().db);
    expect(n.rows[0]!.n).toBe(500);
  });

  it('refuses a missing, wrong or admin credential with 401 and stores nothing', async () => {
    const { app } = await createTestApp(store());
    const body = fixtures[0]!.bodies[0]!;
    const before = await sql<{ n: number }>`select count(*)::int as n from dead_letters`.execute(store().db);
    for (const headers of [{}, bearer('wrong'), bearer(ADMIN_TOKEN)]) {
      const res = await app.request('/webhooks/alertmanager', post(body, headers));
      expect(res.status).toBe(401);
    }
    const after = await sql<{ n: number }>`select count(*)::int as n from dead_letters`.execute(store().db);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('accepts basic auth with the ingest token as password, as Alertmanager sends it', async () => {
    const { app } = await createTestApp(store());
    const basic = `Basic ${Buffer.from(`alertmanager:${INGEST_TOKEN}`).toString('base64')}`;
    const res = await app.request(
      '/webhooks/alertmanager',
      post(fixtures[0]!.bodies[0]!, { authorization: basic }),
    );
    expect(res.status).toBe(200);
  });

  it('answers 400 naming the field, keeps the body as a dead letter, and replays it', async () => {
    const { app } = await createTestApp(store());
    const good = JSON.parse(fixtures.find((f) => f.name.startsWith('alertmanager-0.25-05'))!.bodies[0]!);
    const bad = structuredClone(good);
    bad.alerts[3].labels = 'not an object';
    const res = await app.request('/webhooks/alertmanager', post(JSON.stringify(bad)));
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { message: string; dead_letter_id: number };
    expect(answer.message).toMatch(/^alerts\[3\]\.labels: /);

    const invalid = await app.request('/webhooks/grafana', post('{"alerts": ['));
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { message: string }).message).toMatch(/invalid JSON/);

    const list = await app.request('/api/v1/dead-letters', { headers: bearer(ADMIN_TOKEN) });
    const { items } = (await list.json()) as { items: { id: number; reason: string; source: string }[] };
    expect(items.map((i) => i.source)).toEqual(expect.arrayContaining(['alertmanager', 'grafana']));
    const kept = await app.request(`/api/v1/dead-letters/${answer.dead_letter_id}`, {
      headers: bearer(ADMIN_TOKEN),
    });
    expect(((await kept.json()) as { body: string }).body).toBe(JSON.stringify(bad));

    // A replay of a body that is still bad is refused again; the replay result is recorded.
    const replay = await app.request(`/api/v1/dead-letters/${answer.dead_letter_id}/replay`, {
      method: 'POST',
      headers: bearer(ADMIN_TOKEN),
    });
    expect(replay.status).toBe(422);
    const row = await store()
      .db.selectFrom('dead_letters')
      .selectAll()
      .where('id', '=', answer.dead_letter_id)
      .executeTakeFirstOrThrow();
    expect(row.replay_status).toBe(400);
  });

  it('refuses again the replay of a Datadog body that is still not a JSON object', async () => {
    const { app } = await createTestApp(store());
    // Datadog accepts any JSON object, so a non-object body is the realistic rejection.
    const res = await app.request('/webhooks/datadog', post('["not", "an", "object"]'));
    expect(res.status).toBe(400);
    const { dead_letter_id } = (await res.json()) as { dead_letter_id: number };
    const replay = await app.request(`/api/v1/dead-letters/${dead_letter_id}/replay`, {
      method: 'POST',
      headers: bearer(ADMIN_TOKEN),
    });
    expect(replay.status).toBe(422);
  });

  it('replays a kept body that is valid now: its alerts are stored and the replay is recorded', async () => {
    const { app } = await createTestApp(store());
    // As if an older incidentd (or a bug since fixed) had refused a good Alertmanager body.
    const body = alertmanagerBody([{ labels: { alertname: 'ReplayMe', instance: 'replay-1' } }]);
    const id = await insertDeadLetter(
      store().db,
      {
        source: 'alertmanager',
        reason: 'refused by an older version',
        statusCode: 400,
        contentType: 'application/json',
        headers: {},
        body: new TextEncoder().encode(body),
      },
      new Date(),
    );
    const replay = await app.request(`/api/v1/dead-letters/${id}/replay`, {
      method: 'POST',
      headers: bearer(ADMIN_TOKEN),
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ dead_letter_id: id, accepted: 1 });
    const stored = await sql<{
      n: number;
    }>`select count(*)::int as n from alerts where labels->>'alertname' = 'ReplayMe'`.execute(store().db);
    expect(stored.rows[0]!.n).toBe(1);
    const row = await store()
      .db.selectFrom('dead_letters')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.replay_status).toBe(200);
    expect(row.replayed_at).not.toBeNull();
  });

  it('answers 413 over the size limit and keeps the first bytes', async () => {
    const { app } = await createTestApp(store(), { config: { maxBodyBytes: 1024 } });
    const res = await app.request('/webhooks/alertmanager', post('x'.repeat(5000)));
    expect(res.status).toBe(413);
    const { dead_letter_id } = (await res.json()) as { dead_letter_id: number };
    const row = await store()
      .db.selectFrom('dead_letters')
      .selectAll()
      .where('id', '=', dead_letter_id)
      .executeTakeFirstOrThrow();
    expect(row.body.byteLength).toBe(1024);
    expect(row.status_code).toBe(413);
  });

  it('lists unrouted alerts, newest first, with cursors', async () => {
    const { app } = await createTestApp(store());
    for (const f of fixtures.filter((x) => x.source === 'grafana')) {
      for (const body of f.bodies) await app.request('/webhooks/grafana', post(body));
    }
    const first = await app.request('/api/v1/alerts?routed=false&limit=2&source=grafana', {
      headers: bearer(ADMIN_TOKEN),
    });
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as {
      items: { id: string; routed: boolean; unrouted_reason: string }[];
      next_cursor: string;
    };
    expect(page1.items).toHaveLength(2);
    expect(page1.items[0]!.routed).toBe(false);
    expect(page1.items[0]!.unrouted_reason).toBeTruthy();
    const second = await app.request(
      `/api/v1/alerts?routed=false&limit=2&source=grafana&cursor=${page1.next_cursor}`,
      { headers: bearer(ADMIN_TOKEN) },
    );
    const page2 = (await second.json()) as { items: { id: string }[] };
    expect(page2.items.map((i) => i.id)).not.toContain(page1.items[0]!.id);
    expect((await app.request('/api/v1/alerts', { headers: bearer(INGEST_TOKEN) })).status).toBe(401);
    expect((await app.request('/api/v1/alerts?limit=5000', { headers: bearer(ADMIN_TOKEN) })).status).toBe(
      400,
    );
  });

  it('counts received and rejected alerts in /metrics', async () => {
    const { app } = await createTestApp(store());
    await app.request('/webhooks/alertmanager', post(fixtures[0]!.bodies[0]!));
    await app.request('/webhooks/alertmanager', post('{'));
    const text = await (await app.request('/metrics', { headers: bearer(ADMIN_TOKEN) })).text();
    expect(text).toMatch(/incidentd_alerts_received_total\{source="alertmanager",status="firing"\} 1/);
    expect(text).toMatch(/incidentd_alerts_rejected_total\{source="alertmanager",reason="invalid"\} 1/);
    expect(text).toMatch(/incidentd_ingest_duration_seconds_count\{source="alertmanager"\} 1/);
  });

  it('answers 404 for an unknown source', async () => {
    const { app } = await createTestApp(store());
    expect((await app.request('/webhooks/nagios', post('{}'))).status).toBe(404);
  });
});
