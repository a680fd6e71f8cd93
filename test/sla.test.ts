import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSlaClocks } from '../src/jobs/sla-clocks.ts';
import { openStore, type StoreHandle } from '../src/store/db.ts';
import { apiCallAsAlice } from './support/api.ts';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { sampleCatalogWith } from './support/catalog.ts';
import { createTestStore, databaseKinds } from './support/databases.ts';
import { alertmanagerBody, dbOutage } from './support/payloads.ts';
import { startReceiver } from './support/receiver.ts';

const MIN = 60_000;
type App = Awaited<ReturnType<typeof createTestApp>>;
type Json = Record<string, unknown>;
type Clock = { target: string; state: string; tier: string; due_at: string; started_at: string };

function client(app: App['app']) {
  const call = (method: string, path: string, body?: unknown) => apiCallAsAlice(app, method, path, body);
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown = {}) => call('POST', path, body),
  };
}

const clocksOf = (incident: Json) =>
  Object.fromEntries((incident.sla as Clock[]).map((c) => [c.target, c])) as Record<string, Clock>;

async function timeline(api: ReturnType<typeof client>, id: string) {
  return (await api.get(`/incidents/${id}/timeline`)).items as {
    kind: string;
    actor: string;
    visibility: string;
    data: Json;
  }[];
}

for (const kind of databaseKinds) {
  describe(`SLA clocks in simulated time [${kind}]`, () => {
    let store: StoreHandle;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let t: App;
    let api: ReturnType<typeof client>;
    const t0 = new Date('2026-11-01T10:00:00Z');
    const at = (min: number) => new Date(t0.getTime() + min * MIN).toISOString();

    beforeEach(async () => {
      store = await createTestStore(kind);
      receiver = await startReceiver();
      const catalog = sampleCatalogWith({
        notifications: [
          {
            name: 'pager',
            type: 'webhook',
            url: receiver.url('/pager'),
            events: ['sla.breached'],
            escalation: true,
          },
        ],
      });
      t = await createTestApp(store, { config: { catalog } });
      api = client(t.app);
    });
    afterEach(async () => {
      await receiver.close();
      await store.close();
    });

    it('a SEV1 for a premium and a standard customer runs on premium clocks', async () => {
      const inc = await api.post('/incidents', {
        title: 'Checkout down',
        severity: 'SEV1',
        customers: ['acme', 'initech'],
      });
      const c = clocksOf(inc);
      expect(c.acknowledge).toMatchObject({ tier: 'premium', due_at: at(5), state: 'running' });
      expect(c.owner).toMatchObject({ tier: 'premium', due_at: at(15) });
      expect(c.update).toMatchObject({ tier: 'premium', due_at: at(30) });
      expect(c.resolve).toMatchObject({ tier: 'premium', due_at: at(240) });
    });

    it('recomputes clocks when correlation raises severity and adds customers during ingest', async () => {
      const send = (customer: string) =>
        t.app.request('/webhooks/alertmanager', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
          body: alertmanagerBody([dbOutage(customer, 'eu-west-9')]),
        });
      const first = (await (await send('initech')).json()) as { incidents: string[] };
      const id = first.incidents[0]!;
      // One standard customer, SEV2: standard SEV2 clocks.
      expect(clocksOf(await api.get(`/incidents/${id}`)).acknowledge).toMatchObject({
        tier: 'standard',
        due_at: at(30),
      });
      t.clock.advance(MIN);
      await send('acme');
      expect(clocksOf(await api.get(`/incidents/${id}`)).acknowledge).toMatchObject({
        tier: 'premium',
        due_at: at(15),
      });
      await send('hooli'); // three customers: the rule makes it SEV1
      const inc = await api.get(`/incidents/${id}`);
      expect(inc.severity).toBe('SEV1');
      expect(clocksOf(inc).acknowledge).toMatchObject({ tier: 'premium', due_at: at(5) });
      expect(clocksOf(inc).resolve).toMatchObject({ tier: 'premium', due_at: at(240) });
    });

    it('owner SLO missed: one breach event, one metric increment, one escalation notification', async () => {
      const inc = await api.post('/incidents', {
        title: 'Payments failing',
        severity: 'SEV1',
        customers: ['acme'],
      });
      const id = String(inc.id);
      await t.runJobs();
      t.clock.advance(MIN);
      await api.post(`/incidents/${id}/acknowledge`);
      t.clock.advance(11 * MIN); // 12m: 80% of the 15m owner target
      await t.runJobs();
      t.clock.advance(3 * MIN); // 15m: breached
      await t.runJobs();
      for (let i = 0; i < 3; i++) {
        t.clock.advance(MIN);
        await t.runJobs();
      }
      const events = await timeline(api, id);
      const sla = events.filter((e) => e.kind.startsWith('sla.'));
      expect(sla.map((e) => [e.kind, e.data.target])).toEqual([
        ['sla.met', 'acknowledge'],
        ['sla.warning', 'owner'],
        ['sla.breached', 'owner'],
      ]);
      expect(sla.every((e) => e.visibility === 'internal' && e.actor === 'system')).toBe(true);
      const metric = await t.metrics.registry.getSingleMetricAsString('incidentd_sla_breaches_total');
      expect(metric).toContain(
        'incidentd_sla_breaches_total{customer="acme",severity="SEV1",target="owner"} 1',
      );
      // Known label sets start at zero (so increase() sees the first breach): exactly one series is non-zero.
      expect(
        metric.split('\n').filter((l) => l.startsWith('incidentd_sla_breaches_total{') && !l.endsWith(' 0')),
      ).toHaveLength(1);
      const pages = receiver.delivered('/pager').map((r) => r.body as { event: string; details: Json });
      // The SEV1 opening escalated; the owner breach was paged exactly once.
      expect(pages.map((p) => p.event)).toEqual(['incident.opened', 'sla.breached']);
      expect(pages[1]!.details.target).toBe('owner');
      expect(events.filter((e) => e.kind === 'notification.sent')).toHaveLength(2);

      // An update in time meets the update clock and starts the next one at the promised time.
      t.clock.set(at(20));
      const updated = await api.post(`/incidents/${id}/updates`, {
        status: 'identified',
        message: 'A bad deploy; rolling back.',
        next_update_in: '15m',
      });
      expect(updated.next_update_due).toBe(at(35));
      expect(updated.published).toBe(true);
      expect(clocksOf(updated).update).toMatchObject({
        state: 'running',
        started_at: at(20),
        due_at: at(35),
      });
      const met = (await timeline(api, id)).filter((e) => e.kind === 'sla.met' && e.data.target === 'update');
      expect(met).toHaveLength(1);
      expect(met[0]!.data.late).toBe(false);

      // Resolving stops every clock: nothing fires afterwards.
      t.clock.set(at(25));
      const resolved = await api.post(`/incidents/${id}/resolve`, { message: 'Rolled back.' });
      expect((resolved.sla as Clock[]).map((c) => [c.target, c.state]).sort()).toEqual([
        ['acknowledge', 'met'],
        ['owner', 'cancelled'],
        ['resolve', 'met'],
        // The public closing update of a published incident is an update in time.
        ['update', 'met'],
      ]);
      const before = (await timeline(api, id)).filter((e) => e.kind.startsWith('sla.')).length;
      t.clock.set(at(600));
      await t.runJobs();
      expect((await timeline(api, id)).filter((e) => e.kind.startsWith('sla.')).length).toBe(before);
      expect(receiver.delivered('/pager')).toHaveLength(2);
    });

    it('auto-resolution settles the clocks and nothing fires afterwards', async () => {
      const send = (status: 'firing' | 'resolved') =>
        t.app.request('/webhooks/alertmanager', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
          body: alertmanagerBody([{ ...dbOutage('acme', 'eu-auto-1'), status }]),
        });
      const id = ((await (await send('firing')).json()) as { incidents: string[] }).incidents[0]!;
      t.clock.advance(MIN);
      await send('resolved');
      t.clock.advance(6 * MIN); // resolve_after: 5m
      await t.runJobs();
      const inc = await api.get(`/incidents/${id}`);
      expect(inc.state).toBe('resolved');
      expect((inc.sla as Clock[]).filter((c) => c.state === 'running' || c.state === 'warning')).toEqual([]);
      expect(clocksOf(inc).resolve!.state).toBe('met');
      t.clock.advance(48 * 60 * MIN);
      await t.runJobs();
      const kinds = (await timeline(api, id)).map((e) => e.kind);
      expect(kinds.filter((k) => k === 'sla.breached' || k === 'sla.warning')).toEqual([]);
    });

    it('keeps store-derived gauges right, also for a fresh process over the same store', async () => {
      await api.post('/incidents', {
        title: 'Slow API',
        severity: 'SEV2',
        customers: ['acme', 'somebody-new'],
        message: 'We are looking into slow responses.',
        next_update_in: 600,
      });
      await api.post('/incidents', { title: 'Internal only', severity: 'SEV4' });
      t.clock.advance(11 * MIN);
      await t.runJobs();
      const scrape = async (app: App['app']) =>
        (await (await app.request('/metrics', { headers: bearer(ADMIN_TOKEN) })).text()).split('\n');
      const expected = [
        'incidentd_incidents_open{severity="SEV2"} 1',
        'incidentd_incidents_open{severity="SEV4"} 1',
        'incidentd_incidents_open{severity="SEV1"} 0',
        'incidentd_customers_affected 2',
        'incidentd_updates_overdue 1',
      ];
      expect(await scrape(t.app)).toEqual(expect.arrayContaining(expected));
      const restarted = await createTestApp(store, { clock: t.clock });
      expect(await scrape(restarted.app)).toEqual(expect.arrayContaining(expected));
      expect((await scrape(t.app)).join('\n')).toMatch(
        /incidentd_sla_breaches_total\{customer="other",severity="SEV2",target="update"\} 1/,
      );
    });
  });
}

for (const kind of databaseKinds) {
  describe(`SLA scheduler across replicas [${kind}]`, () => {
    // Opens two stores and runs both schedulers: on a loaded 2-core machine PGlite's start alone can take 15 s.
    it('two scheduler instances on one database fire each clock exactly once', {
      timeout: 90_000,
    }, async () => {
      const store = await createTestStore(kind, { poolSize: 8 });
      // A second "replica": its own pool on the same PostgreSQL schema (PGlite is single-process).
      const other =
        kind === 'postgres'
          ? await openStore({
              databaseUrl: process.env.TEST_DATABASE_URL!,
              dataDir: '',
              schema: store.schema!,
              poolSize: 8,
            })
          : store;
      try {
        const t = await createTestApp(store);
        for (let i = 0; i < 20; i++) {
          await t.actions.declare({ title: `Incident ${i}`, severity: 'SEV1', customers: ['acme'] }, 'bot');
        }
        const now = new Date(t.clock.now().getTime() + 600 * MIN);
        const settings = { sla: t.config.catalog, notifications: [] };
        const replica = async (db: StoreHandle['db']) => {
          let fired = 0;
          for (;;) {
            const { changes } = await runSlaClocks(db, settings, now, 7);
            if (changes.length === 0) return fired;
            fired += changes.reduce((n, c) => n + c.events.length, 0);
          }
        };
        const fired = await Promise.all([
          replica(store.db),
          replica(other.db),
          replica(store.db),
          replica(other.db),
        ]);
        expect(fired.reduce((a, b) => a + b, 0)).toBe(80);
        const breaches = await store.db
          .selectFrom('incident_events')
          .select(['incident_id', (eb) => eb.fn.countAll<number>().as('n')])
          .where('kind', '=', 'sla.breached')
          .groupBy(['incident_id', 'data'])
          .execute();
        expect(breaches).toHaveLength(80);
        expect(breaches.every((b) => Number(b.n) === 1)).toBe(true);
        const unfired = await store.db
          .selectFrom('sla_clocks')
          .select('id')
          .where('breached_at', 'is', null)
          .execute();
        expect(unfired).toEqual([]);
      } finally {
        if (other !== store) await other.close();
        await store.close();
      }
    });
  });
}
