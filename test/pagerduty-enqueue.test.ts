import { expect, it } from 'vitest';
import type { Catalog } from '../src/catalog.ts';
import { readFixture } from '../src/sources/fixtures.test-support.ts';
import { CHANGE_EVENT_ERROR } from '../src/sources/pagerduty/pagerduty-source.ts';
import { ADMIN_TOKEN, bearer, createTestApp, testConfig } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';

const KEY = 'samplekeyhere';
const catalog: Catalog = {
  ...testConfig().catalog,
  pagerduty_routing_keys: [
    // Alerts through this key belong to acme's databases in eu-pd: the sample rule regional-database-outage matches.
    { key: KEY, labels: { service: 'postgres', region: 'eu-pd', customer: 'acme' } },
    { key: 'routingkeyhere', labels: {} },
  ],
};
const enqueue = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const trigger = (extra: Record<string, unknown> = {}) => ({
  routing_key: KEY,
  event_action: 'trigger',
  payload: {
    summary: 'Primary down in eu-pd',
    source: 'db-1.eu',
    severity: 'critical',
    component: 'postgres',
  },
  ...extra,
});

describeEachDatabase('POST /v2/enqueue (PagerDuty Events API v2)', ({ store }) => {
  const app = async () => (await createTestApp(store(), { config: { catalog } })).app;
  const alert = (fingerprint: string) =>
    store()
      .db.selectFrom('alerts')
      .selectAll()
      .where('source', '=', 'pagerduty')
      .where('fingerprint', '=', fingerprint)
      .executeTakeFirst();
  const deadLetters = async () =>
    Number(
      (
        await store()
          .db.selectFrom('dead_letters')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("accepts the docs' trigger example: 202 with its dedup_key, routing-key labels merged", async () => {
    const res = await (await app()).request(
      '/v2/enqueue',
      enqueue(readFixture('pagerduty', 'events-v2-trigger-full-payload.json')),
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({
      status: 'success',
      message: 'Event processed',
      dedup_key: 'samplekeyhere',
    });
    const row = (await alert('samplekeyhere'))!;
    expect(row.labels).toEqual({
      severity: 'info',
      source: 'monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003',
      component: 'postgres',
      group: 'prod-datapipe',
      class: 'deploy',
      service: 'postgres',
      region: 'eu-pd',
      customer: 'acme',
    });
    expect(row.annotations).toMatchObject({ 'ping time': '1500ms', client: 'Sample Monitoring Service' });
    expect(JSON.stringify(row.raw)).not.toContain('routing_key');
  });

  it('generates and answers a dedup_key; acknowledge is recorded and keeps it open; resolve resolves the incident', async () => {
    const a = await app();
    const res = await a.request('/v2/enqueue', enqueue(trigger()));
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { dedup_key: string; incidents: string[] };
    expect(answer.dedup_key).toMatch(/^[0-9a-f]{32}$/);
    expect(answer.incidents).toHaveLength(1);
    const opened = (await alert(answer.dedup_key))!;
    expect(opened).toMatchObject({
      status: 'firing',
      rule: 'regional-database-outage',
      incident_id: answer.incidents[0],
    });

    const ack = await a.request(
      '/v2/enqueue',
      enqueue({ routing_key: KEY, dedup_key: answer.dedup_key, event_action: 'acknowledge' }),
    );
    expect(ack.status).toBe(202);
    expect(await ack.json()).toMatchObject({ status: 'success', dedup_key: answer.dedup_key });
    const acked = (await alert(answer.dedup_key))!;
    expect(acked.status).toBe('firing');
    expect(acked.labels).toEqual(opened.labels);
    expect(acked.annotations.pagerduty_acknowledged_at).toBeDefined();

    const resolve = await a.request(
      '/v2/enqueue',
      enqueue({ routing_key: KEY, dedup_key: answer.dedup_key, event_action: 'resolve' }),
    );
    expect(resolve.status).toBe(202);
    expect(((await resolve.json()) as { incidents: string[] }).incidents).toEqual(answer.incidents);
    const resolved = (await alert(answer.dedup_key))!;
    expect(resolved).toMatchObject({ status: 'resolved', title: 'Primary down in eu-pd' });
    expect(resolved.labels).toEqual(opened.labels);
    const incident = await store()
      .db.selectFrom('incidents')
      .select('firing_count')
      .where('id', '=', answer.incidents[0]!)
      .executeTakeFirstOrThrow();
    expect(incident.firing_count).toBe(0);
  });

  it("acknowledge or resolve of an unknown dedup_key is dropped, as PagerDuty drops them (the docs' examples)", async () => {
    const a = await app();
    for (const name of ['events-v2-acknowledge.json', 'events-v2-resolve.json']) {
      const res = await a.request('/v2/enqueue', enqueue(readFixture('pagerduty', name)));
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ status: 'success', dedup_key: 'dedupkeyhere', accepted: 0 });
    }
    expect(await alert('dedupkeyhere')).toBeUndefined();
  });

  it('an unknown or missing routing key is 400 as PagerDuty answers, and nothing is stored', async () => {
    const a = await app();
    const before = await deadLetters();
    for (const [body, error] of [
      [trigger({ routing_key: 'not-a-known-key', dedup_key: 'unknown-key' }), 'Invalid routing key'],
      [
        { ...trigger({ dedup_key: 'unknown-key' }), routing_key: undefined },
        "'routing_key' is missing or blank",
      ],
      ['{"routing_key": ', 'body: invalid JSON'],
    ] as const) {
      const res = await a.request('/v2/enqueue', enqueue(body));
      expect(res.status).toBe(400);
      const answer = (await res.json()) as { errors: string[] };
      expect(answer).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });
      expect(answer.errors[0]).toContain(error);
    }
    expect(await alert('unknown-key')).toBeUndefined();
    expect(await deadLetters()).toBe(before);
  });

  it('a bad event is a PagerDuty-style 400 naming the field, kept as a dead letter; change events are refused clearly', async () => {
    const a = await app();
    const res = await a.request(
      '/v2/enqueue',
      enqueue(trigger({ payload: { summary: 's', source: 'h', severity: 'high' } })),
    );
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { errors: string[]; dead_letter_id: number };
    expect(answer).toMatchObject({
      status: 'invalid event',
      message: 'Event object is invalid',
      errors: ['payload.severity: expected one of "critical", "error", "warning", "info"'],
    });
    const kept = await a.request(`/api/v1/dead-letters/${answer.dead_letter_id}`, {
      headers: bearer(ADMIN_TOKEN),
    });
    expect(await kept.json()).toMatchObject({ source: 'pagerduty' });

    const change = await a.request(
      '/v2/enqueue',
      enqueue(readFixture('pagerduty', 'rejected/change-event.json')),
    );
    expect(change.status).toBe(400);
    expect(await change.json()).toMatchObject({ status: 'invalid event', errors: [CHANGE_EVENT_ERROR] });
  });
});
