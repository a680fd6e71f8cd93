import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { DatadogConfig } from '../src/config.ts';
import { ManualClock } from '../src/pipeline/ports.ts';
import type { StoreHandle } from '../src/store/db.ts';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { sampleCatalogWith } from './support/catalog.ts';
import { describeEachDatabase } from './support/databases.ts';
import { type DatadogStandIn, startDatadogStandIn } from './support/datadog-standin.ts';

type Json = Record<string, unknown>;
const SEC = 1000;
const MIN = 60 * SEC;
const KEYS = { apiKey: 'dd-test-api-key', appKey: 'dd-test-app-key' };

// Checkout errors group per customer; a second alert raises SEV3 to SEV2; published at once.
const RULES = `rules:
  - name: checkout-errors
    match: 'source == "datadog" && has(labels.service) && labels.service == "checkout"'
    group_by: [customer]
    customer_label: customer
    window: 30m
    severity: 'alerts >= 2 ? "SEV2" : "SEV3"'
    components: [api, billing]
    component_status: partial_outage
    title: 'Checkout errors for {{ customer }}'
    resolve_after: 1m
    publish: auto
    public_message: 'Checkout is failing for some customers.'
`;

let standin: DatadogStandIn;
let rulesDir: string;
beforeAll(async () => {
  standin = await startDatadogStandIn(KEYS);
  rulesDir = mkdtempSync(join(tmpdir(), 'incidentd-dd-rules-'));
  writeFileSync(join(rulesDir, 'checkout.yaml'), RULES);
});
afterAll(() => standin.close());

function datadogConfig(over: Partial<DatadogConfig> = {}): DatadogConfig {
  return {
    ...KEYS,
    site: 'datadoghq.eu',
    apiUrl: standin.url,
    lookupTimeoutMs: 400,
    reconcileIntervalMs: 5 * MIN,
    reconcileStaleAfterMs: 10 * MIN,
    ...over,
  };
}

function app(
  store: StoreHandle,
  clock: ManualClock,
  opts: { datadog?: Partial<DatadogConfig>; notifications?: unknown[] } = {},
) {
  return createTestApp(store, {
    clock,
    config: {
      rulesDir,
      datadog: datadogConfig(opts.datadog),
      catalog: sampleCatalogWith({ notifications: opts.notifications ?? [] }),
    },
  });
}

type TestApp = Awaited<ReturnType<typeof app>>;

let nextEventId = 5_000_000_000_000_000_000n;
/** The recommended template, rendered as Datadog would for one monitor group transition. */
function ddBody(
  clock: ManualClock,
  o: {
    monitor: number;
    scope: string;
    tags: string;
    transition?: 'Triggered' | 'Recovered';
    priority?: string;
  },
) {
  const transition = o.transition ?? 'Triggered';
  const date = String(clock.now().getTime());
  return JSON.stringify({
    id: String(nextEventId++),
    alert_id: String(o.monitor),
    alert_transition: transition,
    alert_type: transition === 'Recovered' ? 'success' : 'error',
    alert_priority: o.priority ?? '',
    alert_scope: o.scope,
    title: `[${transition} on {${o.scope}}] Checkout error rate high`,
    body: '%%%\nCheckout errors above 5%\n%%%',
    tags: o.tags,
    date,
    last_updated: date,
    org: { id: '1', name: 'Acme' },
  });
}

async function hook(t: TestApp, body: string) {
  const res = await t.app.request('/webhooks/datadog', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
    body,
  });
  return { status: res.status, json: (await res.json()) as { accepted: number; incidents: string[] } };
}

async function api(t: TestApp, method: string, path: string, body?: unknown) {
  const res = await t.app.request(`/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...bearer(ADMIN_TOKEN) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

/** Events the stand-in stored for an incident (what Datadog would show). */
const eventsOf = (id: string) => standin.events.filter((e) => e.tags.includes(`incident_id:${id}`));
const kindOf = (e: { tags: string[] }) => e.tags.find((t) => t.startsWith('incidentd_event:'))?.slice(16);
const eventPosts = (id: string) =>
  standin
    .to('POST', '/api/v1/events')
    .filter((r) => ((r.body as { tags?: string[] }).tags ?? []).includes(`incident_id:${id}`));

describeEachDatabase('datadog integration', ({ store, kind }) => {
  // Each test starts at its own time, so the shared store's reconcile lease and alerts do not collide.
  let clock: ManualClock;
  let testNo = 0;
  beforeEach(() => {
    testNo += 1;
    clock = new ManualClock(new Date(Date.UTC(2026, 10, testNo, 10, 0, 0)));
    standin.reset();
  });

  it('posts one event per transition (open, escalate, resolve), exactly once across a restart mid-retry', async () => {
    const customer = `acme-${kind}`;
    standin.setMonitor({ id: 101, tags: ['service:checkout'], overall_state: 'Alert' });
    standin.setMonitor({ id: 102, tags: ['service:checkout'], overall_state: 'Alert' });
    const first = await app(store(), clock);
    standin.replyNext('POST', /^\/api\/v1\/events$/, { status: 500, body: { errors: ['Internal error'] } });
    const opened = await hook(
      first,
      ddBody(clock, { monitor: 101, scope: 'host:web-1', tags: `service:checkout,customer:${customer}` }),
    );
    expect(opened.status).toBe(200);
    const id = opened.json.incidents[0]!;
    await first.runJobs(); // 500: the row waits for its retry
    expect(eventsOf(id)).toHaveLength(0);
    const row = await store()
      .db.selectFrom('notification_outbox')
      .selectAll()
      .where('incident_id', '=', id)
      .executeTakeFirstOrThrow();
    expect([row.target, row.status, row.attempts]).toEqual(['datadog', 'pending', 1]);
    expect(row.last_error).toContain('datadog server_error: HTTP 500');

    // "Restart": a new app and outbox runner over the same store.
    const second = await app(store(), clock);
    clock.advance(30 * SEC);
    await second.runJobs();
    expect(eventsOf(id).map(kindOf)).toEqual(['incident.opened']);

    // A second alert for the customer raises SEV3 -> SEV2.
    const raised = await hook(
      second,
      ddBody(clock, { monitor: 102, scope: 'host:web-2', tags: `service:checkout,customer:${customer}` }),
    );
    expect(raised.json.incidents).toEqual([id]);
    await second.runJobs();
    // Both recover; the incident resolves itself resolve_after (1m) later.
    clock.advance(10 * SEC);
    for (const [monitor, host] of [
      [101, 'host:web-1'],
      [102, 'host:web-2'],
    ] as const) {
      await hook(
        second,
        ddBody(clock, {
          monitor,
          scope: host,
          tags: `service:checkout,customer:${customer}`,
          transition: 'Recovered',
        }),
      );
    }
    clock.advance(61 * SEC);
    await second.runJobs();
    for (let i = 0; i < 4; i++) {
      clock.advance(10 * MIN);
      await first.runJobs();
      await second.runJobs();
    }

    const events = eventsOf(id);
    expect(events.map(kindOf)).toEqual(['incident.opened', 'severity.raised', 'incident.resolved']);
    expect(events.map((e) => e.alert_type)).toEqual(['warning', 'error', 'success']);
    // Four POSTs: the 500, then one success per transition.
    expect(eventPosts(id).map((r) => r.status)).toEqual([500, 202, 202, 202]);
    const [open] = events;
    expect(open!.aggregation_key).toBe(id);
    expect(open!.tags).toEqual(
      expect.arrayContaining([
        `incident_id:${id}`,
        'severity:SEV3',
        'service:api',
        'service:billing',
        'source:incidentd',
      ]),
    );
    expect(open!.text).toContain(`[Internal timeline](http://status.test/internal/incidents/${id})`);
    expect(open!.text).toContain(`[Public incident page](http://status.test/incidents/${id})`);
    expect(open!.title).toBe(`SEV3 opened: Checkout errors for ${customer}`);
    // The request carried the keys as Datadog expects them.
    expect(eventPosts(id)[1]!.headers['dd-api-key']).toBe(KEYS.apiKey);
  });

  it('a retry finds the event an attempt with a lost answer created, and does not post it again', async () => {
    const t = await app(store(), clock);
    // Datadog stores the event, but the answer is a 500 (as if the connection broke after the write).
    standin.replyNext('POST', /^\/api\/v1\/events$/, { status: 500, create: true });
    const { json } = await api(t, 'POST', '/incidents', { title: `Lost answer ${kind}`, severity: 'SEV4' });
    const id = String(json.id);
    await t.runJobs();
    clock.advance(30 * SEC);
    await t.runJobs();
    expect(eventsOf(id)).toHaveLength(1);
    expect(eventsOf(id)[0]!.alert_type).toBe('info');
    expect(eventPosts(id)).toHaveLength(1);
    const lookups = standin.to('GET', '/api/v1/events').filter((r) => r.query.tags?.includes(`${id}.`));
    expect(lookups).toHaveLength(1);
    const row = await store()
      .db.selectFrom('notification_outbox')
      .select(['status', 'attempts'])
      .where('incident_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'sent', attempts: 2 });
  });

  it('waits out a 429 until the rate-limit reset instead of the usual backoff', async () => {
    const t = await app(store(), clock);
    standin.replyNext('POST', /^\/api\/v1\/events$/, {
      status: 429,
      headers: {
        'X-RateLimit-Limit': '1000',
        'X-RateLimit-Period': '60',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': '47',
        'X-RateLimit-Name': 'events',
      },
      body: { errors: ['Rate limit exceeded'] },
    });
    const { json } = await api(t, 'POST', '/incidents', { title: `Rate limited ${kind}`, severity: 'SEV1' });
    const id = String(json.id);
    const attemptAt = clock.now().getTime();
    await t.runJobs();
    const row = await store()
      .db.selectFrom('notification_outbox')
      .selectAll()
      .where('incident_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(new Date(row.next_attempt_at).getTime()).toBe(attemptAt + 47 * SEC);
    expect(row.last_error).toContain('rate_limited: HTTP 429');
    clock.advance(46 * SEC); // past the usual 30 s backoff, before the reset
    await t.runJobs();
    expect(eventPosts(id)).toHaveLength(1);
    clock.advance(1 * SEC);
    await t.runJobs();
    expect(eventPosts(id).map((r) => r.status)).toEqual([429, 202]);
    expect(eventsOf(id).map((e) => e.alert_type)).toEqual(['error']);
    const metrics = await t.metrics.registry.metrics();
    expect(metrics).toContain(
      'incidentd_datadog_requests_total{operation="create_event",outcome="rate_limited"} 1',
    );
  });

  it('monitor look-up adds the tags and priority a webhook lacks, so the alert joins the customer’s incident', async () => {
    const customer = `globex-${kind}`;
    standin.setMonitor({ id: 201, tags: ['service:checkout', `customer:${customer}`] });
    standin.setMonitor({
      id: 202,
      tags: [`customer:${customer}`, 'team:payments', 'service:ignored-payload-wins'],
      priority: 2,
    });
    const t = await app(store(), clock);
    const a = await hook(t, ddBody(clock, { monitor: 201, scope: 'host:a', tags: 'service:checkout' }));
    expect(a.json.incidents).toHaveLength(1);
    const id = a.json.incidents[0]!;
    // No customer tag in this payload: the monitor has it.
    const b = await hook(t, ddBody(clock, { monitor: 202, scope: 'host:b', tags: 'service:checkout' }));
    expect(b.json.incidents).toEqual([id]);
    const { json: incident } = await api(t, 'GET', `/incidents/${id}`);
    expect(incident).toMatchObject({ customers: [customer], alert_count: 2, severity: 'SEV2' });
    const alert = await store()
      .db.selectFrom('alerts')
      .select(['labels', 'annotations'])
      .where('source', '=', 'datadog')
      .where(({ ref }) => ref('labels', '->>').key('monitor_id'), '=', '202')
      .executeTakeFirstOrThrow();
    expect(alert.labels).toMatchObject({
      customer,
      team: 'payments',
      priority: 'P2',
      service: 'checkout', // the payload's own value wins
      monitor_id: '202',
    });
    expect(alert.annotations.monitor_labels).toBe('customer,team,priority');
    // Cached: the renotification asks nothing.
    await hook(t, ddBody(clock, { monitor: 202, scope: 'host:b', tags: 'service:checkout' }));
    expect(standin.to('GET', '/api/v1/monitor/202')).toHaveLength(1);
    const metrics = await t.metrics.registry.metrics();
    // 201 lacked the customer too; the renotification of 202 is enriched again, from the cache.
    expect(metrics).toContain('incidentd_datadog_enrichment_total{outcome="enriched"} 3');
  });

  it('a missing, failing or slow monitor look-up never fails or holds up the webhook', async () => {
    const t = await app(store(), clock);
    const body = (monitor: number) =>
      ddBody(clock, { monitor, scope: 'host:x', tags: `service:checkout,customer:initech-${kind}` });
    // 404: ingested as is, and remembered (no second request).
    expect((await hook(t, body(9_404))).status).toBe(200);
    expect((await hook(t, body(9_404))).status).toBe(200);
    expect(standin.to('GET', '/api/v1/monitor/9404')).toHaveLength(1);
    // 5xx: ingested as is.
    standin.replyNext('GET', /^\/api\/v1\/monitor\/9500$/, { status: 503, body: { errors: ['down'] } });
    expect((await hook(t, body(9_500))).status).toBe(200);
    // Slower than the look-up timeout (400 ms): answered without waiting for Datadog.
    standin.replyNext('GET', /^\/api\/v1\/monitor\/9600$/, { status: 200, body: {}, delayMs: 2000 });
    const started = performance.now();
    const slow = await hook(t, body(9_600));
    expect(slow.status).toBe(200);
    expect(slow.json.accepted).toBe(1);
    expect(performance.now() - started).toBeLessThan(1500);
    const metrics = await t.metrics.registry.metrics();
    expect(metrics).toContain('incidentd_datadog_enrichment_total{outcome="timeout"} 1');
    expect(metrics).toContain(
      'incidentd_datadog_requests_total{operation="get_monitor",outcome="not_found"} 1',
    );
    expect(metrics).toContain(
      'incidentd_datadog_requests_total{operation="get_monitor",outcome="server_error"} 1',
    );
  });

  it('reconciliation resolves a stale alert whose monitor is OK, once across replicas, and says so on the timeline', async () => {
    const customer = `umbrella-${kind}`;
    standin.setMonitor({
      id: 501,
      tags: ['service:checkout', `customer:${customer}`],
      overall_state: 'Alert',
    });
    standin.setMonitor({
      id: 502,
      tags: ['service:checkout', `customer:hooli-${kind}`],
      overall_state: 'Alert',
    });
    const replicaA = await app(store(), clock);
    const replicaB = await app(store(), clock);
    const { json } = await hook(
      replicaA,
      ddBody(clock, { monitor: 501, scope: 'host:r1', tags: 'service:checkout' }),
    );
    const id = json.incidents[0]!;
    const other = (
      await hook(replicaA, ddBody(clock, { monitor: 502, scope: 'host:r2', tags: 'service:checkout' }))
    ).json.incidents[0]!;
    await replicaA.runJobs();

    // The Recovered webhook for 501 never arrives; Datadog says the monitor is OK now.
    standin.setMonitor({ id: 501, overall_state: 'OK' });
    clock.advance(5 * MIN); // not stale yet (10m)
    await replicaA.runJobs();
    expect(standin.to('GET', '/api/v1/monitor/501')).toHaveLength(1); // the webhook's look-up only
    clock.advance(6 * MIN);
    await Promise.all([replicaA.runJobs(), replicaB.runJobs()]);
    expect(standin.to('GET', '/api/v1/monitor/501')).toHaveLength(2);
    expect(standin.to('GET', '/api/v1/monitor/502')).toHaveLength(2);

    const alert = await store()
      .db.selectFrom('alerts')
      .select(['status', 'annotations'])
      .where(({ ref }) => ref('labels', '->>').key('monitor_id'), '=', '501')
      .executeTakeFirstOrThrow();
    expect(alert.status).toBe('resolved');
    expect(alert.annotations.resolved_by).toBe('datadog-reconcile');
    const { json: timeline } = await api(replicaA, 'GET', `/incidents/${id}/timeline?visibility=internal`);
    const resolvedEvents = (timeline.items as { kind: string; actor: string; data: Json }[]).filter(
      (e) => e.kind === 'alert.resolved',
    );
    expect(resolvedEvents).toHaveLength(1);
    expect(resolvedEvents[0]).toMatchObject({
      actor: 'system:datadog-reconcile',
      data: { via: 'datadog-reconcile', monitorId: '501', monitorState: 'OK', firing: 0 },
    });

    // The incident's firing count dropped to 0, so it resolves itself resolve_after (1m) later.
    clock.advance(61 * SEC);
    await replicaA.runJobs();
    expect((await api(replicaA, 'GET', `/incidents/${id}`)).json.state).toBe('resolved');
    // The monitor still alerting keeps its alert and incident open.
    expect((await api(replicaA, 'GET', `/incidents/${other}`)).json.state).toBe('open');
    const { json: status } = await api(replicaA, 'GET', '/integrations/datadog');
    expect(status).toMatchObject({
      enabled: true,
      features: { events: true, monitor_lookup: true, reconcile: true },
      reconcile: { interval_seconds: 300, stale_after_seconds: 600 },
    });
  });

  it('bad keys: events fail and show in the status and metrics; webhooks still go through', async () => {
    const t = await app(store(), clock, { datadog: { apiKey: 'wrong', appKey: 'wrong' } });
    standin.setMonitor({ id: 701, tags: ['customer:never-added'] });
    const res = await hook(
      t,
      ddBody(clock, { monitor: 701, scope: 'host:k', tags: `service:checkout,customer:stark-${kind}` }),
    );
    expect(res.status).toBe(200);
    const id = res.json.incidents[0]!;
    await t.runJobs();
    expect(eventsOf(id)).toHaveLength(0);
    const { json: status } = await api(t, 'GET', '/integrations/datadog');
    expect(status).toMatchObject({
      enabled: true,
      site: 'datadoghq.eu',
      api_url: standin.url,
      message: null,
    });
    const ops = status.operations as Record<string, Json>;
    expect(ops.create_event).toMatchObject({ last_outcome: 'client_error', last_success_at: null });
    expect(String(ops.create_event!.last_error)).toBe('HTTP 403: Forbidden');
    expect(ops.get_monitor).toMatchObject({ last_outcome: 'client_error' });
    const { json: targets } = await api(t, 'GET', '/notifications/targets');
    expect((targets.items as Json[]).find((x) => x.name === 'datadog')).toMatchObject({
      type: 'datadog',
      status: 'failing',
      last_error: 'datadog client_error: HTTP 403: Forbidden',
    });
    const metrics = await t.metrics.registry.metrics();
    expect(metrics).toContain(
      'incidentd_datadog_requests_total{operation="create_event",outcome="client_error"} 1',
    );
  });

  it('a catalog datadog target chooses the events; without DD_API_KEY the integration is off', async () => {
    const t = await app(store(), clock, {
      notifications: [
        { name: 'dd-sev1', type: 'datadog', events: ['incident.opened'], min_severity: 'SEV1' },
      ],
    });
    const low = String(
      (await api(t, 'POST', '/incidents', { title: `Low ${kind}`, severity: 'SEV3' })).json.id,
    );
    const high = String(
      (await api(t, 'POST', '/incidents', { title: `High ${kind}`, severity: 'SEV1' })).json.id,
    );
    await t.runJobs();
    expect(eventsOf(low)).toHaveLength(0);
    expect(eventsOf(high).map(kindOf)).toEqual(['incident.opened']);
    const names = ((await api(t, 'GET', '/notifications/targets')).json.items as Json[]).map((x) => x.name);
    expect(names).toEqual(['dd-sev1']);

    const off = await createTestApp(store(), { clock, config: { rulesDir, datadog: null } });
    const { json } = await api(off, 'GET', '/integrations/datadog');
    expect(json).toMatchObject({ enabled: false, site: null, operations: {} });
    expect(String(json.message)).toContain('DD_API_KEY is not set');
    const before = standin.requests.length;
    await hook(off, ddBody(clock, { monitor: 201, scope: 'host:z', tags: 'service:checkout' }));
    await api(off, 'POST', '/incidents', { title: `Off ${kind}`, severity: 'SEV1' });
    await off.runJobs();
    expect(standin.requests.length).toBe(before);
  });
});
