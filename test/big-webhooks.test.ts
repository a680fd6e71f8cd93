import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer, createTestApp } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';
import { compactBody } from './support/payloads.ts';
import { postIntoOneIncident, webhookPost } from './support/webhooks.ts';

const post = webhookPost;

const count = async (db: Parameters<ReturnType<typeof sql>['execute']>[0], query: ReturnType<typeof sql>) =>
  ((await query.execute(db)).rows[0] as { n: number }).n;

describeEachDatabase('webhooks past the bind-parameter limit', ({ store }) => {
  it('commits a 20,000-alert webhook routed into 5,000 incidents and answers 200', {
    timeout: 240_000,
  }, async () => {
    const { app } = await createTestApp(store());
    const body = compactBody(
      20_000,
      (i) => ({
        service: 'postgres',
        severity: 'critical',
        region: `big-${i % 5000}`,
        customer: `c${i % 7}`,
      }),
      'b1',
    );
    expect(body.length).toBeLessThan(5 * 1024 * 1024);
    const started = performance.now();
    const res = await app.request('/webhooks/alertmanager', post(body));
    const seconds = (performance.now() - started) / 1000;
    expect(res.status, await res.clone().text()).toBe(200);
    console.log(`20,000-alert webhook: ${seconds.toFixed(2)} s`);
    const answer = (await res.json()) as { accepted: number; incidents: string[] };
    expect(answer.accepted).toBe(20_000);
    expect(answer.incidents).toHaveLength(5000);
    const db = store().db;
    expect(await count(db, sql`select count(*)::int as n from incidents where group_key like '%big-%'`)).toBe(
      5000,
    );
    const written = await sql<{ links: number; attached: number; clocks: number }>`
      with big as (select id from incidents where group_key like '%big-%')
      select (select count(*)::int from incident_alerts ia join big b on b.id = ia.incident_id) as links,
             (select count(*)::int from incident_events e join big b on b.id = e.incident_id
               where e.kind = 'alert.attached') as attached,
             (select count(*)::int from sla_clocks c join big b on b.id = c.incident_id) as clocks`.execute(
      db,
    );
    expect(written.rows[0]).toMatchObject({ links: 20_000, attached: 20_000 });
    expect(written.rows[0]!.clocks).toBeGreaterThanOrEqual(5000);
    // Redelivery (Alertmanager resends byte-identical bodies) changes nothing and still answers 200.
    const again = await app.request('/webhooks/alertmanager', post(body));
    expect(again.status).toBe(200);
    expect(await count(db, sql`select count(*)::int as n from incidents where group_key like '%big-%'`)).toBe(
      5000,
    );
  });

  it('commits a webhook whose 6,500 distinct customers join one incident', { timeout: 240_000 }, async () => {
    const { app } = await createTestApp(store());
    const body = compactBody(
      6500,
      (i) => ({ service: 'postgres', severity: 'critical', region: 'many-customers', customer: `cust-${i}` }),
      'b2',
    );
    const incident = await postIntoOneIncident(app, store(), body);
    expect(incident.customers).toHaveLength(6500);
    expect(incident.alert_count).toBe(6500);
    expect(incident.severity).toBe('SEV1');
    expect(
      await count(
        store().db,
        sql`select count(*)::int as n from incident_events where incident_id = ${incident.id} and kind = 'customer.added'`,
      ),
    ).toBe(6500);
  });

  it('keeps the body of a webhook that fails unexpectedly as a dead letter, replayable once fixed', async () => {
    const { app } = await createTestApp(store());
    const db = store().db;
    // A real failure inside the ingest transaction (not an outage): a trigger refusing one alert name.
    await sql`create function refuse_boom() returns trigger language plpgsql as $$
      begin
        if new.labels->>'alertname' = 'Boom' then raise exception 'boom refused'; end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger refuse_boom before insert on alerts for each row execute function refuse_boom()`.execute(
      db,
    );
    const body = compactBody(3, (i) => ({ alertname: 'Boom', instance: `boom-${i}` }), 'b3');
    const res = await app.request('/webhooks/alertmanager', post(body));
    expect(res.status).toBe(500);
    expect(
      await count(db, sql`select count(*)::int as n from alerts where labels->>'alertname' = 'Boom'`),
    ).toBe(0);
    const letter = await db
      .selectFrom('dead_letters')
      .selectAll()
      .where('status_code', '=', 500)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(letter.reason).toContain('boom refused');
    expect(Buffer.from(letter.body).toString('utf8')).toBe(body);

    await sql`drop trigger refuse_boom on alerts`.execute(db);
    const replay = await app.request(`/api/v1/dead-letters/${letter.id}/replay`, {
      method: 'POST',
      headers: bearer(ADMIN_TOKEN),
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ accepted: 3 });
    expect(
      await count(db, sql`select count(*)::int as n from alerts where labels->>'alertname' = 'Boom'`),
    ).toBe(3);
  });
});
