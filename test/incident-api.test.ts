import { describe, expect, it } from 'vitest';
import { apiClient, expectAdminOnly } from './support/api.ts';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { createTestStore, describeEachDatabase } from './support/databases.ts';
import { alertmanagerBody, dbOutage } from './support/payloads.ts';

type Json = Record<string, unknown>;

const ROUTES: [string, string][] = [
  ['GET', '/incidents'],
  ['POST', '/incidents'],
  ['GET', '/incidents/x'],
  ['GET', '/incidents/x/timeline'],
  ['POST', '/incidents/x/acknowledge'],
  ['POST', '/incidents/x/assign'],
  ['POST', '/incidents/x/severity'],
  ['POST', '/incidents/x/updates'],
  ['POST', '/incidents/x/notes'],
  ['POST', '/incidents/x/resolve'],
  ['POST', '/incidents/x/reopen'],
  ['GET', '/notifications/targets'],
];

describeEachDatabase('incident API', ({ store }) => {
  it.each(ROUTES)('%s %s: 401 without the admin token, and with the ingest token', async (method, path) => {
    const { app } = await createTestApp(store());
    await expectAdminOnly(app, method, path);
  });

  it('runs an incident end to end: declare, acknowledge, assign, severity, update, note, resolve, reopen', async () => {
    const { app, clock } = await createTestApp(store());
    const api = apiClient(app);
    const declared = await api(
      'POST',
      '/incidents',
      {
        title: 'Logins failing',
        severity: 'SEV3',
        customers: ['acme'],
        components: ['auth'],
        component_status: 'partial_outage',
      },
      { ...bearer(ADMIN_TOKEN), 'X-Incidentd-Actor': 'alice' },
    );
    expect(declared.status).toBe(201);
    const inc = declared.json;
    expect(inc).toMatchObject({
      title: 'Logins failing',
      severity: 'SEV3',
      state: 'open',
      status: 'investigating',
      rule: null,
      customers: ['acme'],
      components: ['auth'],
      component_status: 'partial_outage',
      owner: null,
      published: false,
      alert_count: 0,
      opened_at: clock.now().toISOString(),
      acknowledged_at: null,
      resolved_at: null,
      next_update_due: null,
    });
    expect((inc.sla as { target: string }[]).map((c) => c.target).sort()).toEqual([
      'acknowledge',
      'owner',
      'resolve',
      'update',
    ]);
    const id = String(inc.id);

    clock.advance(60_000);
    const acked = await api('POST', `/incidents/${id}/acknowledge`, undefined, bearer(ADMIN_TOKEN));
    expect(acked.status).toBe(200);
    expect(acked.json).toMatchObject({ state: 'acknowledged', acknowledged_at: clock.now().toISOString() });

    const assigned = await api('POST', `/incidents/${id}/assign`, { owner: 'bob', by: 'carol' });
    expect(assigned).toMatchObject({ status: 200, json: { owner: 'bob' } });

    const raised = await api('POST', `/incidents/${id}/severity`, {
      severity: 'SEV2',
      reason: 'more tenants',
    });
    expect(raised).toMatchObject({ status: 200, json: { severity: 'SEV2' } });

    const updated = await api('POST', `/incidents/${id}/updates`, {
      status: 'identified',
      message: 'A certificate expired.',
      next_update_in: '30m',
    });
    expect(updated.status).toBe(201);
    expect(updated.json).toMatchObject({
      status: 'identified',
      published: true,
      next_update_due: new Date(clock.now().getTime() + 30 * 60_000).toISOString(),
    });

    const noted = await api('POST', `/incidents/${id}/notes`, { message: 'Renewal cron was disabled.' });
    expect(noted.status).toBe(201);

    const resolved = await api('POST', `/incidents/${id}/resolve`, { message: 'Certificate renewed.' });
    expect(resolved.json).toMatchObject({ state: 'resolved', status: 'resolved', next_update_due: null });

    const reopened = await api('POST', `/incidents/${id}/reopen`, { reason: 'errors are back' });
    expect(reopened.json).toMatchObject({ state: 'open', status: 'investigating', resolved_at: null });

    const got = await api('GET', `/incidents/${id}`);
    expect(got).toMatchObject({ status: 200, json: { id, owner: 'bob', severity: 'SEV2' } });

    const { json: timeline } = await api('GET', `/incidents/${id}/timeline`);
    const items = timeline.items as { kind: string; actor: string; visibility: string; data: Json }[];
    const human = items.filter((e) => !e.kind.startsWith('sla.'));
    expect(human.map((e) => [e.kind, e.actor, e.visibility])).toEqual([
      ['opened', 'alice', 'internal'],
      ['customer.added', 'alice', 'internal'],
      ['acknowledged', 'admin', 'internal'],
      ['owner.assigned', 'carol', 'internal'],
      ['severity.changed', 'admin', 'internal'],
      ['published', 'admin', 'internal'],
      ['update.posted', 'admin', 'public'],
      ['note.added', 'admin', 'internal'],
      ['resolved', 'admin', 'internal'],
      ['update.posted', 'admin', 'public'],
      ['reopened', 'admin', 'internal'],
    ]);
    expect(human.find((e) => e.kind === 'update.posted')!.data).toEqual({
      status: 'identified',
      message: 'A certificate expired.',
      next_update_due: updated.json.next_update_due,
    });
    expect(timeline.next_cursor).toBeNull();
    const publicOnly = await api('GET', `/incidents/${id}/timeline?visibility=public`);
    expect((publicOnly.json.items as unknown[]).length).toBe(2);
  });

  it('lists newest first with filters and cursor pagination', async () => {
    const { app, clock } = await createTestApp(store());
    const api = apiClient(app);
    const ids: string[] = [];
    for (const [severity, customers] of [
      ['SEV4', ['list-a']],
      ['SEV3', ['list-b']],
      ['SEV4', ['list-a', 'list-b']],
    ] as const) {
      clock.advance(1000);
      ids.push(
        String((await api('POST', '/incidents', { title: `t ${severity}`, severity, customers })).json.id),
      );
    }
    await api('POST', `/incidents/${ids[1]}/acknowledge`);
    await api('POST', `/incidents/${ids[0]}/resolve`);
    const page1 = await api('GET', '/incidents?customer=list-a&limit=1');
    expect((page1.json.items as Json[]).map((i) => i.id)).toEqual([ids[2]]);
    const page2 = await api('GET', `/incidents?customer=list-a&limit=1&cursor=${page1.json.next_cursor}`);
    expect((page2.json.items as Json[]).map((i) => i.id)).toEqual([ids[0]]);
    expect(page2.json.next_cursor).toBeNull();
    const open = await api('GET', '/incidents?state=open&customer=list-b');
    expect((open.json.items as Json[]).map((i) => i.id)).toEqual([ids[2], ids[1]]);
    const acked = await api('GET', '/incidents?state=acknowledged&customer=list-b');
    expect((acked.json.items as Json[]).map((i) => i.id)).toEqual([ids[1]]);
    const sev3 = await api('GET', '/incidents?severity=SEV3&customer=list-b');
    expect((sev3.json.items as Json[]).map((i) => i.id)).toEqual([ids[1]]);
  });

  it('answers 400, 404 and 409 with clear messages', async () => {
    const { app } = await createTestApp(store());
    const api = apiClient(app);
    const { json: inc } = await api('POST', '/incidents', { title: 'Errors', severity: 'SEV2' });
    const id = String(inc.id);
    const cases: [string, string, unknown, number, RegExp][] = [
      ['GET', '/incidents?state=sleeping', undefined, 400, /^state: expected open, acknowledged or resolved/],
      ['GET', '/incidents?severity=SEV5', undefined, 400, /^severity:/],
      ['GET', '/incidents?limit=0', undefined, 400, /^limit:/],
      ['GET', '/incidents?cursor=zzz', undefined, 400, /^cursor:/],
      ['POST', '/incidents', '{not json', 400, /^body: not valid JSON/],
      ['POST', '/incidents', { severity: 'SEV1' }, 400, /^title: required/],
      ['POST', '/incidents', { title: ' ', severity: 'SEV1' }, 400, /^title: must not be empty/],
      ['POST', '/incidents', { title: 't', severity: 'P1' }, 400, /^severity: expected SEV1/],
      [
        'POST',
        '/incidents',
        { title: 't', severity: 'SEV1', components: ['nope'] },
        400,
        /unknown component "nope"/,
      ],
      [
        'POST',
        '/incidents',
        { title: 't', severity: 'SEV1', component_status: 'on_fire' },
        400,
        /^component_status:/,
      ],
      [
        'POST',
        '/incidents',
        { title: 't', severity: 'SEV1', message: 'm', next_update_in: 'soon' },
        400,
        /^next_update_in:/,
      ],
      ['GET', '/incidents/nope', undefined, 404, /incident nope not found/],
      ['GET', '/incidents/nope/timeline', undefined, 404, /incident nope not found/],
      ['GET', `/incidents/${id}/timeline?visibility=secret`, undefined, 400, /^visibility:/],
      ['POST', '/incidents/nope/acknowledge', {}, 404, /incident nope not found/],
      ['POST', `/incidents/${id}/assign`, { owner: '' }, 400, /^owner: must not be empty/],
      ['POST', `/incidents/${id}/assign`, {}, 400, /^owner: required/],
      ['POST', `/incidents/${id}/assign`, { owner: 'x', by: '' }, 400, /^actor:/],
      ['POST', `/incidents/${id}/severity`, { severity: 'SEV9', reason: 'r' }, 400, /^severity:/],
      ['POST', `/incidents/${id}/severity`, { severity: 'SEV1' }, 400, /^reason: must not be empty/],
      ['POST', `/incidents/${id}/severity`, { severity: 'SEV2', reason: 'same' }, 409, /already SEV2/],
      [
        'POST',
        `/incidents/${id}/updates`,
        { status: 'fixed', message: 'm' },
        400,
        /^status: unknown status "fixed"/,
      ],
      [
        'POST',
        `/incidents/${id}/updates`,
        { status: 'identified', message: '' },
        400,
        /^message: must not be empty/,
      ],
      [
        'POST',
        `/incidents/${id}/updates`,
        { status: 'identified', message: 'm', next_update_in: -5 },
        400,
        /^next_update_in:/,
      ],
      ['POST', `/incidents/${id}/notes`, { message: '  ' }, 400, /^message: must not be empty/],
      ['POST', `/incidents/${id}/reopen`, {}, 409, /is not resolved/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const res = await api(method, path, body);
      expect({ method, path, status: res.status }).toEqual({ method, path, status });
      expect(String(res.json.message)).toMatch(message);
    }
    expect((await api('POST', `/incidents/${id}/acknowledge`)).status).toBe(200);
    expect(await api('POST', `/incidents/${id}/acknowledge`)).toMatchObject({
      status: 409,
      json: { error: 'conflict', message: expect.stringMatching(/already acknowledged/) },
    });
    expect((await api('POST', `/incidents/${id}/assign`, { owner: 'bob' })).status).toBe(200);
    expect((await api('POST', `/incidents/${id}/assign`, { owner: 'bob' })).status).toBe(409);
    expect((await api('POST', `/incidents/${id}/resolve`)).status).toBe(200);
    for (const [path, body] of [
      ['resolve', {}],
      ['acknowledge', {}],
      ['assign', { owner: 'dave' }],
      ['severity', { severity: 'SEV1', reason: 'r' }],
      ['updates', { status: 'monitoring', message: 'm' }],
    ] as const) {
      const res = await api('POST', `/incidents/${id}/${path}`, body);
      expect({ path, status: res.status }).toEqual({ path, status: 409 });
      expect(String(res.json.message)).toMatch(/resolved/);
    }
    // Notes stay possible after resolution (post-incident review).
    expect((await api('POST', `/incidents/${id}/notes`, { message: 'root cause: cron' })).status).toBe(201);
  });

  it('refuses to reopen a rule incident while its group has another open incident', async () => {
    const { app, clock } = await createTestApp(store());
    const api = apiClient(app);
    const ingest = async (customer: string) => {
      const res = await app.request('/webhooks/alertmanager', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
        body: alertmanagerBody([dbOutage(customer, 'reopen-1')]),
      });
      return ((await res.json()) as { incidents: string[] }).incidents[0]!;
    };
    const first = await ingest('acme');
    expect((await api('POST', `/incidents/${first}/resolve`)).status).toBe(200);
    // Past the rule's 30m window a new alert of the group opens a new incident.
    clock.advance(31 * 60_000);
    const second = await ingest('globex');
    expect(second).not.toBe(first);
    const res = await api('POST', `/incidents/${first}/reopen`);
    expect(res.status).toBe(409);
    expect(String(res.json.message)).toContain(`incident ${second} is already open for this group`);
  });
});

describe('notification targets API', () => {
  it('lists the catalog targets (none in the sample catalog)', async () => {
    const s = await createTestStore('pglite');
    try {
      const { app } = await createTestApp(s);
      expect(await apiClient(app)('GET', '/notifications/targets')).toEqual({
        status: 200,
        json: { items: [] },
      });
    } finally {
      await s.close();
    }
  });
});
