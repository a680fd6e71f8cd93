import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN, ROOT } from './support/app.ts';
import { sampleCatalogWith } from './support/catalog.ts';
import { describeEachDatabase } from './support/databases.ts';

/** A homegrown database monitor and a cron runner posting several jobs per body. */
const catalog = sampleCatalogWith({
  sources: [
    {
      name: 'db-probe',
      fingerprint: 'body.region + "/" + body.instance',
      status: 'body.state == "down" ? "firing" : body.state == "up" ? "resolved" : body.state',
      title: '"Probe: " + body.instance + " is " + body.state',
      labels: {
        alertname: '"PostgresDown"',
        service: '"postgres"',
        severity: '"critical"',
        region: 'body.region',
        customer: 'body.customer',
        instance: 'body.instance',
      },
      annotations: { summary: 'body.?detail.orValue("")' },
    },
    {
      name: 'cron',
      items: 'body.jobs',
      fingerprint: 'body.host + ":" + item.name',
      status: '!item.ok',
      labels: { job: 'item.name', host: 'body.host' },
    },
    { name: 'counter', fingerprint: 'body.id', labels: { n: 'size(body.alerts)' } },
  ],
});

const post = (body: string, contentType = 'application/json', token = INGEST_TOKEN) => ({
  method: 'POST',
  headers: { 'content-type': contentType, ...bearer(token) },
  body,
});
const admin = { headers: bearer(ADMIN_TOKEN) };
const FORM = 'application/x-www-form-urlencoded';

describeEachDatabase('custom sources', ({ store }) => {
  const app = async () => (await createTestApp(store(), { config: { catalog } })).app;

  it('opens an incident through a sample rule, stored as custom/<name>', async () => {
    const a = await app();
    const body = { region: 'eu-1', instance: 'pg-7', customer: 'acme', state: 'down', detail: 'no answer' };
    const res = await a.request('/webhooks/custom/db-probe', post(JSON.stringify(body)));
    expect(res.status, await res.clone().text()).toBe(200);
    const answer = (await res.json()) as { accepted: number; incidents: string[] };
    expect(answer.accepted).toBe(1);
    expect(answer.incidents).toHaveLength(1);
    const incident = (await (await a.request(`/api/v1/incidents/${answer.incidents[0]}`, admin)).json()) as {
      rule: string;
      title: string;
      customers: string[];
    };
    expect(incident).toMatchObject({ rule: 'regional-database-outage', title: 'Database outage in eu-1' });
    expect(incident.customers).toEqual(['acme']);
    const row = await store()
      .db.selectFrom('alerts')
      .selectAll()
      .where('fingerprint', '=', 'eu-1/pg-7')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ source: 'custom/db-probe', status: 'firing', title: 'Probe: pg-7 is down' });
    expect(row.annotations).toEqual({ summary: 'no answer' });

    // The same probe as a form body resolves the same alert.
    const form = new URLSearchParams({ ...body, state: 'up' }).toString();
    const up = await a.request('/webhooks/custom/db-probe', post(form, FORM));
    expect(up.status, await up.clone().text()).toBe(200);
    const rows = await store()
      .db.selectFrom('alerts')
      .selectAll()
      .where('fingerprint', '=', 'eu-1/pg-7')
      .execute();
    expect(rows.map((r) => [r.source, r.status])).toEqual([['custom/db-probe', 'resolved']]);
  });

  it('takes several alerts from one body with items', async () => {
    const a = await app();
    const jobs = [
      { name: 'backup', ok: false },
      { name: 'vacuum', ok: true },
      { name: 'report', ok: false },
    ];
    const res = await a.request('/webhooks/custom/cron', post(JSON.stringify({ host: 'batch-1', jobs })));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 3, incidents: [] });
    const rows = await store()
      .db.selectFrom('alerts')
      .select(['fingerprint', 'status', 'labels'])
      .where('source', '=', 'custom/cron')
      .orderBy('fingerprint')
      .execute();
    expect(rows.map((r) => [r.fingerprint, r.status])).toEqual([
      ['batch-1:backup', 'firing'],
      ['batch-1:report', 'firing'],
      ['batch-1:vacuum', 'resolved'],
    ]);
    expect(rows[0]!.labels).toEqual({ job: 'backup', host: 'batch-1' });
  });

  it('maps the whole body at once, even one with a long `alerts` list', async () => {
    const a = await app();
    const body = JSON.stringify({ id: 'long-1', alerts: Array.from({ length: 250 }, (_, i) => i) });
    const res = await a.request('/webhooks/custom/counter', post(body));
    expect(await res.json()).toMatchObject({ accepted: 1 });
    const rows = await store()
      .db.selectFrom('alerts')
      .select('labels')
      .where('source', '=', 'custom/counter')
      .execute();
    expect(rows.map((r) => r.labels)).toEqual([{ n: '250' }]);
  });

  it('answers 400 naming the field and value of a bad status, and keeps a replayable dead letter', async () => {
    const a = await app();
    const body = JSON.stringify({ region: 'eu-2', instance: 'pg-9', customer: 'acme', state: 'flapping' });
    const res = await a.request('/webhooks/custom/db-probe', post(body));
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { message: string; dead_letter_id: number };
    expect(answer.message).toBe(
      'status: must be "firing" or "resolved" (or a bool: true = firing), got "flapping"',
    );
    const kept = (await (await a.request(`/api/v1/dead-letters/${answer.dead_letter_id}`, admin)).json()) as {
      source: string;
      body: string;
    };
    expect(kept).toMatchObject({ source: 'custom/db-probe', body });
    const replay = await a.request(`/api/v1/dead-letters/${answer.dead_letter_id}/replay`, {
      method: 'POST',
      ...admin,
    });
    expect(replay.status).toBe(422);
    expect(((await replay.json()) as { message: string }).message).toBe(answer.message);
    const none = await store()
      .db.selectFrom('alerts')
      .select('id')
      .where('fingerprint', '=', 'eu-2/pg-9')
      .execute();
    expect(none).toEqual([]);
  });

  it('answers 404 listing the known custom sources, after the token check', async () => {
    const a = await app();
    const res = await a.request('/webhooks/custom/nope', post('{}'));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toBe(
      'unknown custom source "nope"; known: db-probe, cron, counter',
    );
    expect((await a.request('/webhooks/custom/nope', post('{}', 'application/json', 'wrong'))).status).toBe(
      401,
    );
    expect(
      (await a.request('/webhooks/custom/cron', post('{}', 'application/json', ADMIN_TOKEN))).status,
    ).toBe(401);
    const top = await a.request('/webhooks/custom', post('{}'));
    expect(top.status).toBe(404);
    expect(((await top.json()) as { message: string }).message).toMatch(/custom\/<name>/);
  });

  it('ingests a form-encoded Datadog body the same as its JSON twin', async () => {
    const a = await app();
    const json = JSON.parse(readFileSync(resolve(ROOT, 'examples/datadog-webhook-failures.json'), 'utf8'));
    const twin = (monitor: string) => ({ ...json, alert_id: monitor, alert_cycle_key: `${monitor}-cycle` });
    const viaJson = await a.request('/webhooks/datadog', post(JSON.stringify(twin('5550001'))));
    expect(viaJson.status, await viaJson.clone().text()).toBe(200);
    const fields = Object.entries(twin('5550002')).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]);
    const viaForm = await a.request('/webhooks/datadog', post(new URLSearchParams(fields).toString(), FORM));
    expect(viaForm.status, await viaForm.clone().text()).toBe(200);
    // The same answer, but for `unrouted`: each twin is its own monitor (fingerprint), and the second one
    // waits in the candidate group the first one opened (2 alerts).
    const answer = async (res: Response) => {
      const { unrouted, ...rest } = (await res.json()) as { unrouted: unknown[] };
      return { ...rest, unrouted: unrouted.length };
    };
    expect(await answer(viaForm)).toEqual(await answer(viaJson));
    const rows = await store()
      .db.selectFrom('alerts')
      .select(['source', 'status', 'labels', 'annotations', 'title', 'starts_at', 'generator_url'])
      .where('source', '=', 'datadog')
      .execute();
    const rowOf = (monitor: string) => {
      const row = rows.find((r) => r.labels.monitor_id === monitor);
      expect(row).toBeDefined();
      return JSON.stringify(row).replaceAll('5550002', '5550001');
    };
    expect(rowOf('5550002')).toBe(rowOf('5550001'));
  });

  it('refuses a form body for a JSON-only source with 415 naming the supported type', async () => {
    const a = await app();
    const res = await a.request('/webhooks/alertmanager', post('version=4', FORM));
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({
      error: 'unsupported_media_type',
      message: `content-type: ${FORM} is not supported for alertmanager; send application/json`,
      dead_letter_id: expect.any(Number),
    });
  });
});
