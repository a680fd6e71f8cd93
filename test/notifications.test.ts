import { afterAll, beforeAll, expect, it } from 'vitest';
import { runOutbox } from '../src/jobs/outbox.ts';
import { createHttpSender } from '../src/notify/send.ts';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { sampleCatalogWith } from './support/catalog.ts';
import { describeEachDatabase } from './support/databases.ts';
import { alertmanagerBody, dbOutage } from './support/payloads.ts';
import { startReceiver } from './support/receiver.ts';
import { outboxRows } from './support/rows.ts';

type Json = Record<string, unknown>;
const SEC = 1000;

let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  // /flaky fails twice then works; /down never works; everything else answers 200.
  receiver = await startReceiver((path, n) => {
    if (path.startsWith('/flaky')) return n <= 2 ? 500 : 204;
    if (path.startsWith('/down')) return 503;
    return 200;
  });
});
afterAll(() => receiver.close());

/** Each test gets its own paths so deliveries of earlier tests do not count. */
function catalogFor(tag: string) {
  return sampleCatalogWith({
    notifications: [
      { name: 'flaky', type: 'webhook', url: receiver.url(`/flaky-${tag}`), events: ['incident.opened'] },
      {
        name: 'ops-slack',
        type: 'slack',
        url: receiver.url(`/slack-${tag}`),
        events: ['incident.opened', 'incident.resolved'],
      },
      {
        name: 'ops-teams',
        type: 'teams',
        url: receiver.url(`/teams-${tag}`),
        events: ['incident.opened'],
        min_severity: 'SEV2',
      },
      { name: 'down', type: 'webhook', url: receiver.url(`/down-${tag}`), events: ['incident.opened'] },
      { name: 'pager', type: 'webhook', url: receiver.url(`/pager-${tag}`), events: [], escalation: true },
      { name: 'dd-events', type: 'datadog', events: ['incident.opened'] },
    ],
  });
}

const api = async (
  app: { request: (p: string, i: RequestInit) => Response | Promise<Response> },
  method: string,
  path: string,
  body?: unknown,
) => {
  const res = await app.request(`/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...bearer(ADMIN_TOKEN) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Json };
};

describeEachDatabase('notification outbox', ({ store, kind }) => {
  it('retries a failing target with backoff and delivers exactly once; shows a dead target’s last error', async () => {
    const t = await createTestApp(store(), { config: { catalog: catalogFor(`a-${kind}`) } });
    const { json: inc } = await api(t.app, 'POST', '/incidents', {
      title: 'Search down',
      severity: 'SEV2',
      customers: ['acme'],
    });
    const id = String(inc.id);
    const queued = await outboxRows(store(), id, 'target');
    // Routed by events and min_severity; no datadog sender yet; SEV2 does not escalate to the pager.
    expect(queued.map((r) => r.target)).toEqual(['down', 'flaky', 'ops-slack', 'ops-teams']);

    await t.runJobs(); // flaky: 500 (1st attempt)
    expect(receiver.delivered(`/flaky-a-${kind}`)).toHaveLength(0);
    t.clock.advance(10 * SEC);
    await t.runJobs(); // backoff not over: nothing sent
    expect(receiver.received.filter((r) => r.path === `/flaky-a-${kind}`)).toHaveLength(1);
    t.clock.advance(20 * SEC); // 30s after the first attempt
    await t.runJobs(); // 500 again (2nd attempt)
    t.clock.advance(60 * SEC); // backoff doubled
    await t.runJobs(); // 204
    const deliveredAt = t.clock.now().toISOString();
    for (let i = 0; i < 5; i++) {
      t.clock.advance(3600 * SEC);
      await t.runJobs();
    }
    expect(receiver.received.filter((r) => r.path === `/flaky-a-${kind}`).map((r) => r.status)).toEqual([
      500, 500, 204,
    ]);
    const [message] = receiver.delivered(`/flaky-a-${kind}`).map((r) => r.body as Json);
    expect(message).toMatchObject({ event: 'incident.opened', incident: { id, severity: 'SEV2' } });
    expect(String(message!.url)).toBe(`http://status.test/internal/incidents/${id}`);

    const slack = receiver.delivered(`/slack-a-${kind}`)[0]!.body as { text: string; blocks: unknown[] };
    expect(slack.text).toContain('SEV2 opened: Search down');
    expect(slack.blocks.length).toBeGreaterThan(0);
    const teams = receiver.delivered(`/teams-a-${kind}`)[0]!.body as {
      attachments: { content: { type: string; body: { text?: string }[] } }[];
    };
    expect(teams.attachments[0]!.content.type).toBe('AdaptiveCard');
    expect(teams.attachments[0]!.content.body[0]!.text).toBe('SEV2 opened: Search down');

    const row = await store()
      .db.selectFrom('notification_outbox')
      .selectAll()
      .where('target', '=', 'flaky')
      .where('incident_id', '=', id)
      .executeTakeFirstOrThrow();
    expect([row.status, row.attempts, row.last_error]).toEqual(['sent', 3, null]);

    const { json: timeline } = await api(t.app, 'GET', `/incidents/${id}/timeline?visibility=internal`);
    const flakyEvents = (timeline.items as { kind: string; data: Json }[]).filter(
      (e) => e.data.target === 'flaky',
    );
    expect(flakyEvents.map((e) => e.kind)).toEqual([
      'notification.failed',
      'notification.failed',
      'notification.sent',
    ]);

    const { status, json } = await api(t.app, 'GET', '/notifications/targets');
    expect(status).toBe(200);
    const byName = Object.fromEntries((json.items as Json[]).map((x) => [x.name, x]));
    expect(byName.flaky).toMatchObject({ status: 'ok', sent: 1, pending: 0 });
    expect(byName.flaky!.last_success_at).toBe(deliveredAt);
    expect(byName.down).toMatchObject({
      status: 'failing',
      sent: 0,
      last_error: 'HTTP 503: receiver says no',
    });
    expect(byName.down!.last_error_at).not.toBeNull();
    expect(byName['dd-events']).toMatchObject({ status: 'not_configured', type: 'datadog' });
    expect(byName.pager).toMatchObject({ status: 'idle', escalation: true });
    // Webhook URLs are secrets: only where they point is shown.
    expect(String(byName['ops-slack']!.url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/…$/);
  });

  it('gives up after the last attempt and keeps the row failed with its error', async () => {
    const t = await createTestApp(store(), { config: { catalog: catalogFor(`b-${kind}`) } });
    await api(t.app, 'POST', '/incidents', { title: 'Email slow', severity: 'SEV3' });
    const deps = {
      db: store().db,
      targets: t.config.catalog.notifications.filter((n) => n.name === 'down'),
      publicUrl: 'http://status.test',
      send: createHttpSender({ timeoutMs: 2000 }),
      policy: { maxAttempts: 2, baseDelayMs: 1000 },
    };
    // This runner knows only `down` (it would give up on the others' rows as unconfigured): set those aside.
    await store()
      .db.updateTable('notification_outbox')
      .set({ status: 'sent' })
      .where('target', '<>', 'down')
      .execute();
    await runOutbox(deps, t.clock.now());
    t.clock.advance(1000);
    await runOutbox(deps, t.clock.now());
    t.clock.advance(60_000);
    expect(await runOutbox(deps, t.clock.now())).toBe(0);
    const rows = await store()
      .db.selectFrom('notification_outbox')
      .selectAll()
      .where('target', '=', 'down')
      .execute();
    const dead = rows.find((r) => r.event === 'incident.opened' && r.attempts === 2)!;
    expect([dead.status, dead.last_error]).toEqual(['failed', 'HTTP 503: receiver says no']);
    const { json } = await api(t.app, 'GET', '/notifications/targets');
    expect((json.items as Json[]).find((x) => x.name === 'down')).toMatchObject({ status: 'failing' });
    expect(Number((json.items as Json[]).find((x) => x.name === 'down')!.failed)).toBeGreaterThanOrEqual(1);
  });

  it('writes outbox rows in the ingest transaction, escalates SEV1 openings and raises, and never double-sends', async () => {
    const t = await createTestApp(store(), { config: { catalog: catalogFor(`c-${kind}`) } });
    const send = (customer: string) =>
      t.app.request('/webhooks/alertmanager', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
        body: alertmanagerBody([dbOutage(customer, 'us-west-7')]),
      });
    const { incidents } = (await (await send('acme')).json()) as { incidents: string[] };
    const id = incidents[0]!;
    await send('globex');
    await send('initech'); // SEV2 -> SEV1
    const rows = await outboxRows(store(), id, 'id');
    expect(rows.filter((r) => r.target === 'pager').map((r) => r.event)).toEqual(['severity.raised']);
    expect(rows.filter((r) => r.target === 'ops-slack').map((r) => r.event)).toEqual(['incident.opened']);
    // Two replicas run the outbox at the same moment: every row goes out once.
    const deps = {
      db: store().db,
      targets: t.config.catalog.notifications,
      publicUrl: 'http://x',
      send: createHttpSender({ timeoutMs: 2000 }),
    };
    await Promise.all([runOutbox(deps, t.clock.now()), runOutbox(deps, t.clock.now())]);
    expect(receiver.delivered(`/pager-c-${kind}`)).toHaveLength(1);
    expect(receiver.delivered(`/slack-c-${kind}`)).toHaveLength(1);
    expect((receiver.delivered(`/pager-c-${kind}`)[0]!.body as Json).escalation).toBe(true);

    // Resolving by hand notifies the subscribed target.
    await api(t.app, 'POST', `/incidents/${id}/resolve`, {});
    await t.runJobs();
    expect(receiver.delivered(`/slack-c-${kind}`).map((r) => (r.body as { text: string }).text)).toEqual([
      expect.stringContaining('SEV2 opened'),
      expect.stringContaining('Resolved: Database outage in us-west-7'),
    ]);
  });
});
