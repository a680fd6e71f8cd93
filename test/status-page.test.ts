import type { KyselyPlugin } from 'kysely';
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer } from '../src/http/server.ts';
import { createSnapshotService } from '../src/publish/snapshot-service.ts';
import { fixtureInput } from '../src/publish/status-snapshot.fixture.ts';
import { createWebSocketHub, type HubClient } from '../src/publish/websocket-hub.ts';
import type { StoreHandle } from '../src/store/db.ts';
import { STATUSPAGE_RESPONSE_SCHEMAS } from './statuspage-schema.ts';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';
import { alertmanagerBody, dbOutage } from './support/payloads.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;

const send = (t: App, body: string) =>
  t.app.request('/webhooks/alertmanager', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
    body,
  });

/** Sends alerts, waits for the debounced snapshot rebuild, returns the incident ids. */
async function alert(t: App, body: string): Promise<string[]> {
  const res = await send(t, body);
  expect(res.status).toBe(200);
  await t.snapshots.flush();
  return ((await res.json()) as { incidents: string[] }).incidents;
}

async function json<T = Record<string, unknown>>(t: App, path: string): Promise<T> {
  const res = await t.app.request(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** Every Statuspage route answers 200 and validates against its schema. */
async function validateAll(t: App) {
  for (const [path, schema] of Object.entries(STATUSPAGE_RESPONSE_SCHEMAS)) {
    const body = await json(t, `/api/v2/${path}`);
    const parsed = schema.safeParse(body);
    expect(parsed.success, `${path}: ${parsed.error?.message}`).toBe(true);
  }
}

type Component = { id: string; status: string; name: string };
const componentStatus = async (t: App, id: string) =>
  (await json<{ components: Component[] }>(t, '/api/v2/components.json')).components.find((c) => c.id === id)
    ?.status;

/** Counts every query the app sends through this handle. */
function countingStore(store: StoreHandle): { store: StoreHandle; count: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      n++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { store: { ...store, db: store.db.withPlugin(plugin) }, count: () => n };
}

describeEachDatabase('public status page', ({ store }) => {
  it('serves the page, the eight Statuspage routes, static files and the feed from the snapshot', async () => {
    const t = await createTestApp(store());
    const page = await t.app.request('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('Managed Databases');
    expect(html).toContain('All Systems Operational');
    expect(html).not.toContain('Major outage</span>');
    const etag = page.headers.get('etag')!;
    expect(etag).toBe(`"${t.snapshots.current()!.version}"`);
    expect(html).toContain(`data-version="${t.snapshots.current()!.version}"`);
    expect(page.headers.get('cache-control')).toBe('public, max-age=5');
    const again = await t.app.request('/', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');

    await validateAll(t);
    const summary = await json<{ components: (Component & { group: boolean })[] }>(t, '/api/v2/summary.json');
    expect(summary.components.filter((c) => !c.group).every((c) => c.status === 'operational')).toBe(true);
    const api = await t.app.request('/api/v2/status.json', { headers: { 'if-none-match': etag } });
    expect(api.status).toBe(304);

    for (const [path, type] of [
      ['/static/status.css', 'text/css'],
      ['/static/live.js', 'text/javascript'],
    ] as const) {
      const res = await t.app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
      const cached = await t.app.request(path, { headers: { 'if-none-match': res.headers.get('etag')! } });
      expect(cached.status).toBe(304);
    }
    expect((await t.app.request('/static/..%2Fstatus.eta')).status).toBe(404);
    expect((await t.app.request('/static/nope.js')).status).toBe(404);

    const feed = await t.app.request('/history.atom');
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toContain('application/atom+xml');
    expect(await feed.text()).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');

    expect((await t.app.request('/ws')).status).toBe(426);
  });

  it('shows a published incident: component status, incident page, feed, JSON; unknown ids are 404', async () => {
    const t = await createTestApp(store());
    const before = t.snapshots.current()?.version ?? (await t.snapshots.get()).version;
    const [id] = await alert(t, alertmanagerBody([dbOutage('acme', 'eu-west-1')]));
    expect(t.snapshots.current()!.version).not.toBe(before);

    expect(await componentStatus(t, 'database')).toBe('major_outage');
    await validateAll(t);
    const summary = await json<{
      status: { indicator: string };
      incidents: { id: string; name: string; incident_updates: { body: string; status: string }[] }[];
    }>(t, '/api/v2/summary.json');
    expect(summary.status.indicator).toBe('critical');
    const inc = summary.incidents.find((i) => i.id === id)!;
    expect(inc.name).toBe('Database outage in eu-west-1');
    expect(inc.incident_updates[0]).toMatchObject({
      status: 'investigating',
      body: 'We are investigating degraded database availability in eu-west-1.',
    });
    expect(
      (await json<{ incidents: { id: string }[] }>(t, '/api/v2/incidents/unresolved.json')).incidents.map(
        (i) => i.id,
      ),
    ).toContain(id);

    const html = await (await t.app.request('/')).text();
    expect(html).toContain('Major outage');
    expect(html).toContain(`href="/incidents/${id}"`);
    const page = await t.app.request(`/incidents/${id}`);
    expect(page.status).toBe(200);
    const incidentHtml = await page.text();
    expect(incidentHtml).toContain('Database outage in eu-west-1');
    expect(incidentHtml).toContain('We are investigating degraded database availability in eu-west-1.');
    expect((await t.app.request('/incidents/does-not-exist')).status).toBe(404);
    expect(await (await t.app.request('/history.atom')).text()).toContain('Database outage in eu-west-1');

    // The status change is recorded as an interval, so the uptime bar of today shows it.
    const open = await store()
      .db.selectFrom('component_status_intervals')
      .selectAll()
      .where('component_id', '=', 'database')
      .where('ended_at', 'is', null)
      .execute();
    expect(open.map((o) => o.status)).toEqual(['major_outage']);
    // Today's bar is red at once, before the outage has lasted a minute.
    const fresh = t.snapshots.current()!.components.find((c) => c.id === 'database')!;
    expect(fresh.uptime.days.at(-1)!.worst).toBe('major_outage');
    t.clock.advance(10 * 60_000);
    await t.snapshots.rebuild();
    const db = t.snapshots.current()!.components.find((c) => c.id === 'database')!;
    expect(db.uptime.days.at(-1)!.worst).toBe('major_outage');
    expect(db.uptime.days.at(-1)!.minutes.major_outage).toBe(10);
    // Components that never had an incident are operational with data from their first rebuild on.
    const api = t.snapshots.current()!.components.find((c) => c.id === 'api')!;
    expect(api.uptime.days.at(-1)).toMatchObject({ noData: false, worst: 'operational' });
  });

  it('keeps an unpublished incident off every public surface until its first public update', async () => {
    const t = await createTestApp(store());
    const before = (await t.snapshots.get()).version;
    const rebuilds = t.snapshots.rebuilds();
    const res = await send(
      t,
      alertmanagerBody([
        {
          labels: {
            alertname: 'AuthLoginErrorsHigh',
            service: 'auth',
            severity: 'critical',
            customer: 'acme',
          },
        },
      ]),
    );
    const [id] = ((await res.json()) as { incidents: string[] }).incidents;
    expect(id).toBeDefined();
    await t.snapshots.flush();
    expect(t.snapshots.rebuilds()).toBe(rebuilds);
    await t.snapshots.rebuild();
    expect(t.snapshots.current()!.version).toBe(before);
    expect((await t.app.request(`/incidents/${id}`)).status).toBe(404);
    expect(await componentStatus(t, 'auth')).toBe('operational');
    expect(await (await t.app.request('/api/v2/incidents.json')).text()).not.toContain(id!);

    // The first public update publishes it (as the actions API does: an update.posted event, visibility public).
    await store().db.updateTable('incidents').set({ published: true }).where('id', '=', id!).execute();
    await store()
      .db.insertInto('incident_events')
      .values({
        incident_id: id!,
        at: t.clock.now(),
        kind: 'update.posted',
        actor: 'alice',
        visibility: 'public',
        data: JSON.stringify({ status: 'identified', message: 'Logins fail for some users.' }),
      })
      .execute();
    t.bus.emit({ type: 'incident.changed', incidentId: id!, kinds: ['update.posted'], public: true });
    await t.snapshots.flush();
    expect(t.snapshots.current()!.version).not.toBe(before);
    expect(await componentStatus(t, 'auth')).toBe('degraded_performance');
    const page = await t.app.request(`/incidents/${id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Logins fail for some users.');
  });

  it('schedules maintenance through the internal API; it starts and completes with the clock', async () => {
    const t = await createTestApp(store());
    await t.snapshots.get();
    const now = t.clock.now().getTime();
    const body = {
      title: 'Search cluster upgrade',
      message: 'Search may be slow while we upgrade.',
      components: ['search'],
      scheduled_for: new Date(now + 3_600_000).toISOString(),
      scheduled_until: new Date(now + 2 * 3_600_000).toISOString(),
    };
    const post = (b: unknown, headers: Record<string, string> = bearer(ADMIN_TOKEN)) =>
      t.app.request('/api/v1/maintenances', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(b),
      });
    expect((await post(body, {})).status).toBe(401);
    const bad = await post({ ...body, components: ['nope'] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('nope');
    expect((await post({ ...body, scheduled_until: body.scheduled_for })).status).toBe(400);
    expect((await post({ ...body, title: '' })).status).toBe(400);
    const created = await post(body);
    expect(created.status).toBe(201);
    const m = (await created.json()) as { id: string };
    const list = (await (
      await t.app.request('/api/v1/maintenances', { headers: bearer(ADMIN_TOKEN) })
    ).json()) as { items: { id: string; title: string }[]; next_cursor: null };
    expect(list.items.map((i) => i.id)).toContain(m.id);
    expect(list.next_cursor).toBeNull();

    await t.snapshots.flush();
    await validateAll(t);
    const upcoming = await json<{ scheduled_maintenances: { id: string; status: string }[] }>(
      t,
      '/api/v2/scheduled-maintenances/upcoming.json',
    );
    expect(upcoming.scheduled_maintenances).toMatchObject([{ id: m.id, status: 'scheduled' }]);
    expect(await (await t.app.request('/')).text()).toContain('Search cluster upgrade');

    // Time alone starts it: the first read after the boundary schedules a rebuild.
    t.clock.advance(60 * 60_000);
    t.snapshots.current();
    await t.snapshots.flush();
    const active = await json<{ scheduled_maintenances: { id: string; status: string }[] }>(
      t,
      '/api/v2/scheduled-maintenances/active.json',
    );
    expect(active.scheduled_maintenances).toMatchObject([{ id: m.id, status: 'in_progress' }]);
    expect(await componentStatus(t, 'search')).toBe('under_maintenance');
    const summary = await json<{ scheduled_maintenances: { id: string }[] }>(t, '/api/v2/summary.json');
    expect(summary.scheduled_maintenances.map((x) => x.id)).toContain(m.id);
    await validateAll(t);

    t.clock.advance(60 * 60_000);
    t.snapshots.current();
    await t.snapshots.flush();
    expect(await componentStatus(t, 'search')).toBe('operational');
    const all = await json<{ scheduled_maintenances: { id: string; status: string }[] }>(
      t,
      '/api/v2/scheduled-maintenances.json',
    );
    expect(all.scheduled_maintenances.find((x) => x.id === m.id)?.status).toBe('completed');
    const search = t.snapshots.current()!.components.find((c) => c.id === 'search')!;
    expect(search.uptime.days.at(-1)!.minutes.under_maintenance).toBe(60);
  });

  it('gives a customer their own view behind their key, and the same 404 for a wrong key or customer', async () => {
    const t = await createTestApp(store());
    const [id] = await alert(t, alertmanagerBody([dbOutage('acme', 'ap-south-1')]));
    const acme = await t.app.request('/customers/acme?key=change-me-acme');
    expect(acme.status).toBe(200);
    expect(acme.headers.get('cache-control')).toContain('private');
    expect(acme.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await acme.text();
    expect(html).toContain('Affects you');
    expect(html).toContain('Acme Corp');
    expect(html).toContain(`href="/customers/acme/incidents/${id}?key=change-me-acme"`);
    const incident = await t.app.request(`/customers/acme/incidents/${id}?key=change-me-acme`);
    expect(incident.status).toBe(200);
    expect(await incident.text()).toContain('Affects you');
    const summary = await json<{ incidents: unknown[] }>(
      t,
      '/customers/acme/api/v2/summary.json?key=change-me-acme',
    );
    expect(STATUSPAGE_RESPONSE_SCHEMAS['summary.json'].safeParse(summary).success).toBe(true);

    const globex = await (await t.app.request('/customers/globex?key=change-me-globex')).text();
    expect(globex).toContain('Database outage in ap-south-1');
    expect(globex).not.toContain('Affects you');
    expect(globex).not.toContain('Acme Corp');

    const wrongKey = await t.app.request('/customers/acme?key=change-me-globex');
    const noKey = await t.app.request('/customers/acme');
    const unknown = await t.app.request('/customers/nobody?key=change-me-acme');
    const wrongApi = await t.app.request('/customers/acme/api/v2/summary.json?key=nope');
    expect([wrongKey.status, noKey.status, unknown.status, wrongApi.status]).toEqual([404, 404, 404, 404]);
    expect(await wrongKey.text()).toBe(await unknown.text());
  });

  it('answers a flood of readers from memory: no queries after the snapshot is built', async () => {
    const counted = countingStore(store());
    const t = await createTestApp(counted.store);
    const [id] = await alert(t, alertmanagerBody([dbOutage('acme', 'sa-east-1')]));
    await t.snapshots.get();
    // Warm up every representation once (rendering is memoized per snapshot, not per request).
    const paths = [
      '/',
      `/incidents/${id}`,
      '/history.atom',
      '/static/live.js',
      '/customers/acme?key=change-me-acme',
      ...Object.keys(STATUSPAGE_RESPONSE_SCHEMAS).map((p) => `/api/v2/${p}`),
    ];
    for (const p of paths) expect((await t.app.request(p)).status, p).toBe(200);
    const before = counted.count();
    const rebuilds = t.snapshots.rebuilds();
    const responses = await Promise.all(
      Array.from({ length: 500 }, (_, i) => t.app.request(paths[i % paths.length]!)),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(counted.count()).toBe(before);
    expect(t.snapshots.rebuilds()).toBe(rebuilds);
  });

  it('pushes snapshot changes to WebSocket clients and counts them in the gauge', async () => {
    const t = await createTestApp(store());
    await t.snapshots.get();
    const server = await startServer(t.app, { port: 0, host: '127.0.0.1', websocket: true });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
      const messages: { type: string; version: string; components?: { id: string; status: string }[] }[] = [];
      ws.on('message', (data) => messages.push(JSON.parse(String(data))));
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      await expect.poll(() => messages.length).toBe(1);
      expect(messages[0]).toEqual({ type: 'snapshot', version: t.snapshots.current()!.version });
      expect(await t.metrics.registry.getSingleMetricAsString('incidentd_websocket_clients')).toContain(
        'incidentd_websocket_clients{channel="public"} 1',
      );
      // A maintenance already under way: one component changes, the message says which.
      const now = t.clock.now().getTime();
      const res = await t.app.request('/api/v1/maintenances', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(ADMIN_TOKEN) },
        body: JSON.stringify({
          title: 'Mail relay swap',
          message: 'Email may be delayed.',
          components: ['email'],
          scheduled_for: new Date(now - 60_000).toISOString(),
          scheduled_until: new Date(now + 3_600_000).toISOString(),
        }),
      });
      expect(res.status).toBe(201);
      await t.snapshots.flush();
      await expect.poll(() => messages.length).toBe(2);
      expect(messages[1]).toEqual({
        type: 'snapshot-changed',
        version: t.snapshots.current()!.version,
        status: expect.any(Object),
        components: [{ id: 'email', status: 'under_maintenance' }],
      });
      // A rebuild that changes nothing public sends nothing.
      await t.snapshots.rebuild();
      ws.close();
      await expect.poll(() => t.hub.size()).toBe(0);
      expect(messages).toHaveLength(2);
      expect(await t.metrics.registry.getSingleMetricAsString('incidentd_websocket_clients')).toContain(
        'incidentd_websocket_clients{channel="public"} 0',
      );
    } finally {
      t.hub.closeAll();
      await server.close(1000);
    }
  });
});

it('debounces bursts of changes into one rebuild and never rebuilds concurrently', async () => {
  let running = 0;
  let maxRunning = 0;
  let loads = 0;
  const service = createSnapshotService({
    source: {
      load: async () => {
        loads++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        return fixtureInput();
      },
      reconcile: async () => false,
    },
    clock: { now: () => new Date('2026-04-10T12:00:00Z') },
    log: { debug() {}, info() {}, warn() {}, error() {} },
    debounceMs: 30,
  });
  await service.get();
  expect(loads).toBe(1);
  for (let i = 0; i < 100; i++) service.invalidate();
  await new Promise((r) => setTimeout(r, 60));
  for (let i = 0; i < 100; i++) service.invalidate();
  await Promise.all([service.rebuild(), service.rebuild(), service.flush()]);
  await service.flush();
  expect(loads).toBeLessThanOrEqual(5);
  expect(maxRunning).toBe(1);
  service.stop();
});

it('drops WebSocket clients that stop reading, and refuses clients over the bound', () => {
  const closed: number[] = [];
  const client = (buffered: () => number): HubClient & { got: string[] } => {
    const got: string[] = [];
    return { got, send: (t) => got.push(t), bufferedAmount: buffered, close: (code) => closed.push(code) };
  };
  const counts: number[] = [];
  const hub = createWebSocketHub({
    channel: 'public',
    maxClients: 2,
    maxBufferedBytes: 1000,
    onCount: (n) => counts.push(n),
  });
  let slowBuffer = 0;
  const fast = client(() => 0);
  const slow = client(() => slowBuffer);
  expect(hub.add(fast)).toBe(true);
  expect(hub.add(slow)).toBe(true);
  expect(hub.add(client(() => 0))).toBe(false);
  expect(closed).toEqual([1013]);
  expect(hub.broadcast({ type: 'snapshot-changed', version: 'a' })).toBe(2);
  slowBuffer = 5000;
  expect(hub.broadcast({ type: 'snapshot-changed', version: 'b' })).toBe(1);
  expect(closed).toEqual([1013, 1008]);
  expect(hub.size()).toBe(1);
  expect(fast.got).toHaveLength(2);
  expect(slow.got).toHaveLength(1);
  expect(counts.at(-1)).toBe(1);
  hub.closeAll();
  expect(hub.size()).toBe(0);
});
