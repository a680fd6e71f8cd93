import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer, createTestApp, sendAlertmanager } from './support/app.ts';
import { createTestStore, databaseKinds, describeEachDatabase } from './support/databases.ts';
import { alertmanagerBody, dbOutage } from './support/payloads.ts';
import { incidentEventRows, incidentRow } from './support/rows.ts';

const send = sendAlertmanager;

/** Why the unrouted Alertmanager alert with this `bucket` label waits, as the alerts API says. */
async function unroutedReason(app: Awaited<ReturnType<typeof createTestApp>>['app'], bucket: string) {
  const res = await app.request('/api/v1/alerts?routed=false&source=alertmanager', {
    headers: bearer(ADMIN_TOKEN),
  });
  const { items } = (await res.json()) as {
    items: { labels: { bucket?: string }; unrouted_reason: string }[];
  };
  return items.find((i) => i.labels.bucket === bucket)?.unrouted_reason;
}

describeEachDatabase('correlation through the webhook', ({ store }) => {
  it('opens one incident per region, gathers customers and raises severity as they join', async () => {
    const { app } = await createTestApp(store());
    const r1 = await send(app, alertmanagerBody([dbOutage('acme', 'us-east-1')]));
    const { incidents } = (await r1.json()) as { incidents: string[] };
    expect(incidents).toHaveLength(1);
    const id = incidents[0]!;
    await send(app, alertmanagerBody([dbOutage('globex', 'us-east-1')]));
    let inc = await incidentRow(store(), id);
    expect(inc.severity).toBe('SEV2');
    expect(inc.customers).toEqual(['acme', 'globex']);
    const r3 = await send(app, alertmanagerBody([dbOutage('initech', 'us-east-1')]));
    expect(((await r3.json()) as { incidents: string[] }).incidents).toEqual([id]);
    inc = await incidentRow(store(), id);
    expect(inc.severity).toBe('SEV1');
    expect(inc.alert_count).toBe(3);
    expect(inc.published).toBe(true);
    expect(inc.title).toBe('Database outage in us-east-1');
    const events = await incidentEventRows(store(), id);
    const severity = events.find((e) => e.kind === 'severity.changed');
    expect(String(severity?.data.reason)).toContain(
      'SEV2 -> SEV1: 3 customers affected (rule regional-database-outage)',
    );
    expect(events.filter((e) => e.kind === 'customer.added')).toHaveLength(3);
    // Another region is another incident.
    const other = await send(app, alertmanagerBody([dbOutage('acme', 'ap-south-1')]));
    expect(((await other.json()) as { incidents: string[] }).incidents[0]).not.toBe(id);
  });

  it('auto-resolves after resolve_after and reopens the same incident when it flaps back', async () => {
    const { app, clock, runJobs, metrics } = await createTestApp(store());
    const firing = [dbOutage('acme', 'eu-central-1'), dbOutage('hooli', 'eu-central-1')];
    const { incidents } = (await (await send(app, alertmanagerBody(firing))).json()) as {
      incidents: string[];
    };
    const id = incidents[0]!;
    clock.advance(60_000);
    await send(
      app,
      alertmanagerBody(firing.map((a) => ({ ...a, status: 'resolved', endsAt: '2026-11-01T10:00:30Z' }))),
    );
    let inc = await incidentRow(store(), id);
    expect(inc.firing_count).toBe(0);
    expect(inc.state).toBe('open');
    clock.advance(4 * 60_000);
    await runJobs();
    expect(
      (
        await store()
          .db.selectFrom('incidents')
          .select('state')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).state,
    ).toBe('open');
    clock.advance(2 * 60_000);
    await runJobs();
    inc = await incidentRow(store(), id);
    expect(inc.state).toBe('resolved');
    expect(
      await metrics.registry.getSingleMetricAsString('incidentd_incident_time_to_resolve_seconds'),
    ).toMatch(/_count\{severity="SEV2"\} 1/);

    clock.advance(60_000);
    const flap = await send(
      app,
      alertmanagerBody([{ ...dbOutage('acme', 'eu-central-1'), startsAt: '2026-11-01T10:08:00Z' }]),
    );
    expect(((await flap.json()) as { incidents: string[] }).incidents).toEqual([id]);
    inc = await incidentRow(store(), id);
    expect(inc.state).toBe('open');
    expect(inc.flap_count).toBe(1);
  });

  it('keeps open_when candidates unrouted with a reason, opens once it holds, lists expired ones', async () => {
    const { app, clock, runJobs } = await createTestApp(store());
    const slow = (bucket: string, region: string) => ({
      labels: {
        alertname: 'ObjectStorageLatencyHigh',
        service: 'object-storage',
        region,
        bucket,
        customer: 'acme',
      },
    });
    const first = await send(app, alertmanagerBody([slow('b1', 'eu-west-2')]));
    expect(((await first.json()) as { incidents: string[] }).incidents).toEqual([]);
    expect(await unroutedReason(app, 'b1')).toMatch(/waiting for open_when of rule object-storage-latency/);
    const second = await send(app, alertmanagerBody([slow('b2', 'eu-west-2')]));
    const { incidents } = (await second.json()) as { incidents: string[] };
    expect(incidents).toHaveLength(1);
    const inc = await incidentRow(store(), incidents[0]!);
    expect(inc.alert_count).toBe(2);

    // A lone alert in another region waits, then its window passes.
    await send(app, alertmanagerBody([slow('b3', 'sa-east-1')]));
    clock.advance(16 * 60_000);
    await runJobs();
    expect(await unroutedReason(app, 'b3')).toBe(
      'open_when not met within 15m (rule object-storage-latency)',
    );
  });

  it('leaves alerts no rule matches unrouted', async () => {
    const { app } = await createTestApp(store());
    const res = await send(
      app,
      alertmanagerBody([{ labels: { alertname: 'DiskFull', instance: 'nfs-1', unmatched: 'yes' } }]),
    );
    expect(((await res.json()) as { incidents: string[] }).incidents).toEqual([]);
    const row = await store()
      .db.selectFrom('alerts')
      .selectAll()
      .where(sql`labels->>'unmatched'`, '=', 'yes')
      .executeTakeFirstOrThrow();
    expect(row.incident_id).toBeNull();
    expect(row.unrouted_reason).toBe('no rule matched');
  });
});

if (databaseKinds.includes('postgres')) {
  it('8 parallel webhooks of one group on PostgreSQL open exactly one incident with every alert', async () => {
    const pgStore = await createTestStore('postgres', { poolSize: 12 });
    try {
      const { app } = await createTestApp(pgStore);
      const customers = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'c7', 'c8'];
      const results = await Promise.all(
        customers.map((c) => send(app, alertmanagerBody([dbOutage(c, 'race-1')]))),
      );
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
      const incidents = await pgStore.db
        .selectFrom('incidents')
        .selectAll()
        .where('group_key', 'like', '%race-1%')
        .execute();
      expect(incidents).toHaveLength(1);
      expect(incidents[0]!.alert_count).toBe(8);
      expect([...incidents[0]!.customers].sort()).toEqual([...customers].sort());
      const links = await pgStore.db
        .selectFrom('incident_alerts')
        .selectAll()
        .where('incident_id', '=', incidents[0]!.id)
        .execute();
      expect(links).toHaveLength(8);
    } finally {
      await pgStore.close();
    }
  });
}
