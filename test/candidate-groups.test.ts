import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { ManualClock } from '../src/pipeline/ports.ts';
import { createTestApp } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';
import { compactBody } from './support/payloads.ts';
import { postIntoOneIncident, webhookPost } from './support/webhooks.ts';

const post = webhookPost;

// rules/30-async.yaml: webhook-delivery-failures waits (group_by: []) until size(customers) >= 3.
const failing = (customer: string) => (i: number) => ({
  service: 'webhooks-out',
  alertname: 'WebhookDeliveryFailing',
  customer,
  endpoint: `e${i}`,
});

describeEachDatabase('candidate groups with many waiting alerts', ({ store }) => {
  const waitingState = async () =>
    (
      await sql<{ waiting: number; reasons: string[] }>`
        select count(*) filter (where waiting)::int as waiting,
               coalesce(array_agg(distinct unrouted_reason) filter (where unrouted_reason is not null), '{}') as reasons
        from alerts where rule = 'webhook-delivery-failures' and incident_id is null`.execute(store().db)
    ).rows[0]!;

  it('a candidate that expires releases its waiting alerts, in the webhook path and in the job', async () => {
    const clock = new ManualClock(new Date('2026-11-01T10:00:00Z'));
    const { app, runJobs } = await createTestApp(store(), { clock });
    expect(
      (await app.request('/webhooks/alertmanager', post(compactBody(5, failing('c1'), 'ex')))).status,
    ).toBe(200);
    expect(await waitingState()).toMatchObject({ waiting: 5 });
    clock.advance(31 * 60_000);
    expect(
      (await app.request('/webhooks/alertmanager', post(compactBody(1, failing('c1'), 'ey')))).status,
    ).toBe(200);
    const after = await waitingState();
    expect(after.waiting).toBe(1);
    expect(after.reasons.some((r) => r.startsWith('open_when not met within 30m'))).toBe(true);
    clock.advance(31 * 60_000);
    await runJobs();
    expect((await waitingState()).waiting).toBe(0);
    expect(await store().db.selectFrom('candidate_groups').selectAll().execute()).toEqual([]);
  });

  it('30,000 waiting alerts: a 1,000-alert webhook stays cheap, and the opening attaches all', {
    timeout: 300_000,
  }, async () => {
    const clock = new ManualClock(new Date('2026-11-01T14:00:00Z'));
    const { app } = await createTestApp(store(), { clock });
    for (let batch = 0; batch < 3; batch++) {
      const res = await app.request(
        '/webhooks/alertmanager',
        post(compactBody(10_000, failing('c1'), `w${batch}`)),
      );
      expect(res.status).toBe(200);
    }
    const small = async (tag: string, customer: string) => {
      const started = performance.now();
      const res = await app.request(
        '/webhooks/alertmanager',
        post(compactBody(1000, failing(customer), tag)),
      );
      expect(res.status).toBe(200);
      return (performance.now() - started) / 1000;
    };
    const at30k = await small('s1', 'c2');
    const candidate = await store().db.selectFrom('candidate_groups').selectAll().executeTakeFirstOrThrow();
    expect(candidate).toMatchObject({ alert_count: 31_000, firing_count: 31_000, customers: ['c1', 'c2'] });
    expect(candidate.alert_ids.length).toBeLessThanOrEqual(100);
    expect((await waitingState()).waiting).toBe(31_000);
    const at31k = await small('s2', 'c2');
    console.log(
      `1,000-alert webhook with 30,000 waiting: ${at30k.toFixed(2)} s, with 31,000: ${at31k.toFixed(2)} s`,
    );

    // The third customer opens the incident: every waiting alert joins it, found by group.
    const incident = await postIntoOneIncident(app, store(), compactBody(1, failing('c3'), 'open'));
    expect(incident).toMatchObject({ alert_count: 32_001, firing_count: 32_001 });
    expect([...incident.customers].sort()).toEqual(['c1', 'c2', 'c3']);
    const counts = (
      await sql<{ links: number; attached: number }>`
        select (select count(*)::int from incident_alerts where incident_id = ${incident.id}) as links,
               (select count(*)::int from incident_events where incident_id = ${incident.id}
                 and kind = 'alert.attached') as attached`.execute(store().db)
    ).rows[0]!;
    expect(counts).toEqual({ links: 32_001, attached: 32_001 });
    expect((await waitingState()).waiting).toBe(0);
    expect(await store().db.selectFrom('candidate_groups').selectAll().execute()).toEqual([]);
  });
});
