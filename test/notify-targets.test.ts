import { afterAll, beforeAll, expect, it } from 'vitest';
import { teamsWorkflowMessage } from './support/adaptive-card-schema.ts';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { sampleCatalogWith } from './support/catalog.ts';
import { describeEachDatabase } from './support/databases.ts';
import { startPagerDutyStandIn } from './support/pagerduty-standin.ts';
import { startReceiver } from './support/receiver.ts';
import { startSlackStandIn } from './support/slack-standin.ts';

type Json = Record<string, unknown>;
type App = { request: (p: string, i: RequestInit) => Response | Promise<Response> };
const SEC = 1000;
const ROUTING_KEY = 'R0123456789abcdef0123456789abcde';
const SLACK_TOKEN = 'xoxb-test-1234';

const api = async (app: App, method: string, path: string, body?: unknown) => {
  const res = await app.request(`/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...bearer(ADMIN_TOKEN) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Json };
};

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let pd: Awaited<ReturnType<typeof startPagerDutyStandIn>>;
let slack: Awaited<ReturnType<typeof startSlackStandIn>>;
beforeAll(async () => {
  receiver = await startReceiver();
  pd = await startPagerDutyStandIn();
  slack = await startSlackStandIn({
    token: SLACK_TOKEN,
    channels: { '#incidents': 'C0INCIDENTS', '#ops': 'C0OPS' },
  });
});
afterAll(async () => {
  await Promise.all([receiver.close(), pd.close(), slack.close()]);
});

describeEachDatabase('notification targets', ({ store, kind }) => {
  const appWith = (notifications: Json[]) =>
    createTestApp(store(), { config: { catalog: sampleCatalogWith({ notifications }) } });

  it('teams: posts an Adaptive Card 1.4 in a Workflows message; MessageCard only with format: messagecard', async () => {
    const t = await appWith([
      {
        name: 'teams',
        type: 'teams',
        url: receiver.url(`/teams-${kind}`),
        events: ['incident.opened', 'update.posted'],
      },
      {
        name: 'teams-old',
        type: 'teams',
        url: receiver.url(`/teams-old-${kind}`),
        format: 'messagecard',
      },
    ]);
    const { json: inc } = await api(t.app, 'POST', '/incidents', {
      title: 'Checkout errors',
      severity: 'SEV2',
      customers: ['acme'],
      components: ['api'],
      message: 'We are looking into failed checkouts.',
      next_update_in: '30m',
    });
    const id = String(inc.id);
    await t.runJobs();
    const bodies = receiver.delivered(`/teams-${kind}`).map((r) => r.body);
    expect(bodies).toHaveLength(2); // the opening and the first public update
    for (const body of bodies) expect(teamsWorkflowMessage.safeParse(body).error).toBeUndefined();
    const card = teamsWorkflowMessage.parse(bodies[0]).attachments[0]!.content;
    expect(card.body[0]).toMatchObject({
      type: 'TextBlock',
      text: 'SEV2 opened: Checkout errors',
      color: 'Attention',
    });
    const facts = Object.fromEntries(
      card.body.flatMap((b) => (b.type === 'FactSet' ? b.facts.map((f) => [f.title, f.value]) : [])),
    );
    expect(facts).toMatchObject({
      Severity: 'SEV2',
      Status: 'investigating',
      Customers: 'acme',
      'Next update': '2026-11-01 10:30 UTC',
    });
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open timeline', url: `http://status.test/internal/incidents/${id}` },
      { type: 'Action.OpenUrl', title: 'Status page', url: `http://status.test/incidents/${id}` },
    ]);
    const update = teamsWorkflowMessage.parse(bodies[1]).attachments[0]!.content;
    expect(
      update.body.some((b) => b.type === 'TextBlock' && b.text === 'We are looking into failed checkouts.'),
    ).toBe(true);

    const [legacy] = receiver.delivered(`/teams-old-${kind}`).map((r) => r.body as Json);
    expect(legacy).toMatchObject({ '@type': 'MessageCard', title: 'SEV2 opened: Checkout errors' });
    // The schema is no rubber stamp: the legacy card, a newer version and an unknown property all fail it.
    expect(teamsWorkflowMessage.safeParse(legacy).success).toBe(false);
    const wrap = (content: unknown) => ({
      ...(bodies[0] as Json),
      attachments: [{ ...(bodies[0] as { attachments: Json[] }).attachments[0], content }],
    });
    expect(teamsWorkflowMessage.safeParse(wrap({ ...card, version: '1.5' })).success).toBe(false);
    expect(
      teamsWorkflowMessage.safeParse(wrap({ ...card, body: [{ ...card.body[0], colour: 'Good' }] })).success,
    ).toBe(false);
  });

  it('pagerduty: trigger → acknowledge → resolve with one dedup_key; a 429 is waited out per Retry-After, in order', async () => {
    const t = await appWith([
      {
        name: 'pd',
        type: 'pagerduty',
        routing_key: ROUTING_KEY,
        url: pd.enqueueUrl,
        min_severity: 'SEV3',
      },
    ]);
    const before = pd.events.length;
    const { json: inc } = await api(t.app, 'POST', '/incidents', {
      title: `Checkout errors ${kind}`,
      severity: 'SEV2',
      customers: ['acme'],
      components: ['api'],
    });
    const id = String(inc.id);
    pd.replyNext('/v2/enqueue', {
      status: 429,
      headers: { 'retry-after': '120' },
      body: { status: 'throttle event' },
    });
    await t.runJobs(); // 429: come back in 120 s
    expect(pd.events.length).toBe(before);
    await api(t.app, 'POST', `/incidents/${id}/acknowledge`, {});
    t.clock.advance(60 * SEC);
    await t.runJobs(); // the trigger is not due; the acknowledgement waits behind it
    expect(pd.events.length).toBe(before);
    t.clock.advance(61 * SEC);
    await t.runJobs();
    await api(t.app, 'POST', `/incidents/${id}/resolve`, {});
    await t.runJobs();

    const mine = pd.events.filter((e) => e.dedup_key === id);
    expect(mine.map((e) => e.event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
    expect(pd.alerts.get(id)?.status).toBe('resolved');
    expect(mine[0]).toMatchObject({
      routing_key: ROUTING_KEY,
      payload: {
        summary: `SEV2 opened: Checkout errors ${kind}`,
        severity: 'error',
        source: 'api',
        component: 'api',
      },
      links: [{ href: `http://status.test/internal/incidents/${id}`, text: 'Internal timeline' }],
    });
    expect(mine[0]!.payload!.custom_details).toMatchObject({
      incident_id: id,
      customers: ['acme'],
      severity: 'SEV2',
    });
    // No secrets: no access keys, no admin or ingest token, the routing key only where PagerDuty wants it.
    const details = JSON.stringify(mine[0]!.payload);
    const accessKeys = t.config.catalog.customers.map((c) => c.access_key);
    for (const secret of [...accessKeys, ADMIN_TOKEN, INGEST_TOKEN, ROUTING_KEY])
      expect(details).not.toContain(secret);
    const rows = await store()
      .db.selectFrom('notification_outbox')
      .select(['event', 'status', 'attempts'])
      .where('incident_id', '=', id)
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { event: 'incident.opened', status: 'sent', attempts: 2 },
      { event: 'incident.acknowledged', status: 'sent', attempts: 1 },
      { event: 'incident.resolved', status: 'sent', attempts: 1 },
    ]);

    // Below min_severity nothing triggers, so nothing is acknowledged or resolved either.
    const { json: low } = await api(t.app, 'POST', '/incidents', { title: 'Slow reports', severity: 'SEV4' });
    await api(t.app, 'POST', `/incidents/${low.id}/acknowledge`, {});
    await api(t.app, 'POST', `/incidents/${low.id}/resolve`, {});
    await t.runJobs();
    expect(pd.events.filter((e) => e.dedup_key === low.id)).toEqual([]);
    // Raised from below into range: the raise triggers, the resolution follows.
    const { json: raised } = await api(t.app, 'POST', '/incidents', {
      title: 'Queue backlog',
      severity: 'SEV4',
    });
    await api(t.app, 'POST', `/incidents/${raised.id}/severity`, {
      severity: 'SEV1',
      reason: 'customers hit',
    });
    await api(t.app, 'POST', `/incidents/${raised.id}/severity`, { severity: 'SEV4', reason: 'contained' });
    await api(t.app, 'POST', `/incidents/${raised.id}/resolve`, {});
    await t.runJobs();
    const raisedEvents = pd.events.filter((e) => e.dedup_key === raised.id);
    expect(raisedEvents.map((e) => [e.event_action, e.payload?.severity])).toEqual([
      ['trigger', 'critical'],
      ['resolve', undefined],
    ]);
  });

  it('slack bot: one message per incident, updated on every change, updates and notes in its thread', async () => {
    const t = await appWith([
      {
        name: 'bot',
        type: 'slack',
        token: SLACK_TOKEN,
        channel: '#incidents',
        api_url: slack.apiUrl,
        thread: ['updates', 'notes'],
      },
    ]);
    const title = `Search down ${kind}`;
    const { json: inc } = await api(t.app, 'POST', '/incidents', {
      title,
      severity: 'SEV2',
      customers: ['acme'],
    });
    const id = String(inc.id);
    await t.runJobs();
    const mine = () => slack.topLevel().filter((m) => m.text.includes(title));
    expect(mine()).toHaveLength(1);
    const { ts, channel } = mine()[0]!;
    expect(channel).toBe('C0INCIDENTS');
    expect(mine()[0]!.text).toContain(`SEV2 open: ${title}`);

    await api(t.app, 'POST', `/incidents/${id}/acknowledge`, {});
    await t.runJobs();
    await api(t.app, 'POST', `/incidents/${id}/assign`, { owner: 'alice' });
    await t.runJobs();
    await api(t.app, 'POST', `/incidents/${id}/updates`, {
      status: 'identified',
      message: 'Index rebuild <running>',
      next_update_in: '30m',
    });
    await t.runJobs();
    await api(t.app, 'POST', `/incidents/${id}/notes`, { message: 'node 3 swapped' });
    await t.runJobs();
    await api(t.app, 'POST', `/incidents/${id}/resolve`, {});
    await t.runJobs();

    expect(mine()).toHaveLength(1); // never a second top-level message
    const message = mine()[0]!;
    expect(message.edits.length).toBeGreaterThanOrEqual(6);
    expect(message.edits[1]).toContain(`SEV2 acknowledged: ${title}`);
    expect(message.text).toContain(`Resolved: ${title}`);
    const fields = JSON.stringify(message.blocks);
    expect(fields).toContain('*Owner:* alice');
    // thread: [updates, notes]: no event headlines in the thread.
    expect(slack.replies(ts).map((r) => r.text)).toEqual([
      '*Public update* (identified): Index rebuild &lt;running&gt;',
      '*Internal note:* node 3 swapped',
      expect.stringContaining('*Public update* (resolved): '),
    ]);
  });

  it('slack bot: a rate limit goes back to the outbox with Slack’s Retry-After; a deleted message is posted again', async () => {
    const t = await appWith([
      { name: 'bot', type: 'slack', token: SLACK_TOKEN, channel: 'C0OPS', api_url: slack.apiUrl },
    ]);
    const title = `Billing lag ${kind}`;
    const { json: inc } = await api(t.app, 'POST', '/incidents', { title, severity: 'SEV3' });
    slack.replyNext('/api/chat.postMessage', { status: 429, headers: { 'retry-after': '30' } });
    const calls = () => slack.requests.filter((r) => r.path === '/api/chat.postMessage').length;
    const n0 = calls();
    await t.runJobs();
    expect(calls()).toBe(n0 + 1); // one call, no retry inside the client
    const mine = () => slack.topLevel().filter((m) => m.channel === 'C0OPS' && m.text.includes(title));
    expect(mine()).toHaveLength(0);
    t.clock.advance(20 * SEC);
    await t.runJobs();
    expect(calls()).toBe(n0 + 1);
    t.clock.advance(11 * SEC);
    await t.runJobs();
    expect(mine()).toHaveLength(1);
    const row = await store()
      .db.selectFrom('notification_outbox')
      .select(['status', 'attempts'])
      .where('incident_id', '=', String(inc.id))
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'sent', attempts: 2 });

    slack.deleteMessage(mine()[0]!.ts);
    await api(t.app, 'POST', `/incidents/${inc.id}/acknowledge`, {});
    await t.runJobs();
    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.text).toContain(`SEV3 acknowledged: ${title}`);
  });
});
