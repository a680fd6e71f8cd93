import { expect, it } from 'vitest';
import { STATUSPAGE_RESPONSE_SCHEMAS, scheduledMaintenanceSchema } from './statuspage-schema.ts';
import { ADMIN_TOKEN, bearer, createTestApp } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
type SpMaintenance = {
  id: string;
  name: string;
  status: string;
  scheduled_for: string;
  scheduled_until: string;
  resolved_at: string | null;
  started_at: string;
  components: { id: string }[];
  incident_updates: { id: string; status: string; body: string; incident_id: string }[];
};

const H = 3_600_000;

function api(t: App, method: string, path: string, body?: unknown) {
  return t.app.request(`/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...bearer(ADMIN_TOKEN) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function ok<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  const body = await res.text();
  expect(res.status, body).toBe(status);
  return JSON.parse(body) as T;
}

/** Refused with `status`; a 400 names the field first (`field: …`), a 409 the maintenance. */
async function refused(res: Response, status: number, prefix: string) {
  const body = (await res.json()) as { message: string };
  expect(res.status, body.message).toBe(status);
  expect(body.message.startsWith(status === 400 ? `${prefix}:` : prefix), body.message).toBe(true);
  return body.message;
}

async function maintenances(t: App, path = 'scheduled-maintenances.json'): Promise<SpMaintenance[]> {
  await t.snapshots.flush();
  const res = await t.app.request(`/api/v2/${path}`);
  expect(res.status).toBe(200);
  const body = await res.json();
  const schema = STATUSPAGE_RESPONSE_SCHEMAS[path as keyof typeof STATUSPAGE_RESPONSE_SCHEMAS];
  const parsed = schema.safeParse(body);
  expect(parsed.success, `${path}: ${parsed.error?.message}`).toBe(true);
  return (body as { scheduled_maintenances: SpMaintenance[] }).scheduled_maintenances;
}

async function componentStatus(t: App, id: string): Promise<string | undefined> {
  await t.snapshots.flush();
  const body = (await (await t.app.request('/api/v2/components.json')).json()) as {
    components: { id: string; status: string }[];
  };
  return body.components.find((c) => c.id === id)?.status;
}

const at = (t: App, ms: number) => new Date(t.clock.now().getTime() + ms).toISOString();

describeEachDatabase('maintenance lifecycle API', ({ store }) => {
  it('edits, posts updates and completes early; every change is a public update in JSON, page and feed', async () => {
    const t = await createTestApp(store());
    await t.snapshots.get();
    const created = await ok<{ id: string; status: string }>(
      await api(t, 'POST', '/maintenances', {
        title: 'Database failover drill',
        message: 'Writes may pause for a few seconds.',
        components: ['database'],
        scheduled_for: at(t, 2 * H),
        scheduled_until: at(t, 4 * H),
      }),
      201,
    );
    expect(created.status).toBe('scheduled');
    const id = created.id;

    const edited = await ok<{ title: string; scheduled_for: string; components: string[] }>(
      await api(t, 'PATCH', `/maintenances/${id}`, {
        title: 'Database failover drill (moved)',
        components: ['database', 'object-storage'],
        scheduled_for: at(t, 3 * H),
      }),
    );
    expect(edited).toMatchObject({
      title: 'Database failover drill (moved)',
      scheduled_for: at(t, 3 * H),
      components: ['database', 'object-storage'],
    });
    let [m] = (await maintenances(t, 'scheduled-maintenances/upcoming.json')).filter((x) => x.id === id);
    expect(m!.name).toBe('Database failover drill (moved)');
    expect(m!.scheduled_for).toBe(at(t, 3 * H));
    expect(m!.components.map((c) => c.id)).toEqual(['database', 'object-storage']);
    expect(m!.incident_updates.map((u) => [u.status, u.body])).toEqual([
      ['scheduled', `Rescheduled: now from ${at(t, 3 * H)} to ${at(t, 4 * H)}.`],
      ['scheduled', 'Writes may pause for a few seconds.'],
    ]);

    // It starts with the clock; a posted update moves it to verifying.
    t.clock.advance(3 * H + 60_000);
    t.snapshots.current();
    expect(await componentStatus(t, 'object-storage')).toBe('under_maintenance');
    await ok(
      await api(t, 'POST', `/maintenances/${id}/updates`, {
        status: 'verifying',
        message: 'Failover done, verifying.',
      }),
    );
    [m] = (await maintenances(t, 'scheduled-maintenances/active.json')).filter((x) => x.id === id);
    expect(m!.status).toBe('verifying');
    expect(m!.incident_updates[0]).toMatchObject({
      status: 'verifying',
      body: 'Failover done, verifying.',
      incident_id: id,
    });
    expect(scheduledMaintenanceSchema.safeParse(m).success).toBe(true);
    // An update without a status keeps the current one.
    await ok(await api(t, 'POST', `/maintenances/${id}/updates`, { message: 'Still verifying replicas.' }));
    [m] = (await maintenances(t, 'scheduled-maintenances/active.json')).filter((x) => x.id === id);
    expect(m!.incident_updates[0]).toMatchObject({ status: 'verifying', body: 'Still verifying replicas.' });

    // Complete early: the window ends now, the components are operational again.
    t.clock.advance(10 * 60_000);
    const done = await ok<{ status: string; completed_at: string }>(
      await api(t, 'POST', `/maintenances/${id}/complete`, { message: 'All done early.' }),
    );
    expect(done).toMatchObject({ status: 'completed', completed_at: t.clock.now().toISOString() });
    expect(await componentStatus(t, 'object-storage')).toBe('operational');
    expect((await maintenances(t, 'scheduled-maintenances/active.json')).map((x) => x.id)).not.toContain(id);
    [m] = (await maintenances(t)).filter((x) => x.id === id);
    expect(m).toMatchObject({ status: 'completed', resolved_at: t.clock.now().toISOString() });
    expect(m!.incident_updates.map((u) => u.status)).toEqual([
      'completed',
      'verifying',
      'verifying',
      'scheduled',
      'scheduled',
    ]);
    expect(new Set(m!.incident_updates.map((u) => u.id)).size).toBe(5);
    await refused(
      await api(t, 'POST', `/maintenances/${id}/complete`, {}),
      409,
      `maintenance ${id} is already completed`,
    );

    const page = await (await t.app.request('/')).text();
    expect(page).not.toContain('All done early.'); // completed maintenances leave the page's upcoming/active lists
    const feed = await (await t.app.request('/history.atom')).text();
    expect(feed).toContain('All done early.');
    expect(feed).toContain('Database failover drill (moved): Verifying');

    const detail = await ok<{ status: string; updates: { kind: string }[] }>(
      await api(t, 'GET', `/maintenances/${id}`),
    );
    expect(detail.status).toBe('completed');
    expect(detail.updates.map((u) => u.kind)).toEqual(['completed', 'update', 'update', 'edited', 'created']);
  });

  it('cancels: gone from upcoming and the page, completed with the cancel note in history; no edits after', async () => {
    const t = await createTestApp(store());
    await t.snapshots.get();
    const { id } = await ok<{ id: string }>(
      await api(t, 'POST', '/maintenances', {
        title: 'Email relay patching',
        message: 'Delivery may be delayed.',
        components: ['email'],
        scheduled_for: at(t, 5 * H),
        duration: '90m',
      }),
      201,
    );
    expect((await maintenances(t, 'scheduled-maintenances/upcoming.json')).map((x) => x.id)).toContain(id);
    expect(await (await t.app.request('/')).text()).toContain('Email relay patching');

    const cancelled = await ok<{ status: string }>(await api(t, 'POST', `/maintenances/${id}/cancel`));
    expect(cancelled.status).toBe('cancelled');
    const listed = await ok<{ items: { id: string; status: string }[] }>(
      await api(t, 'GET', '/maintenances'),
    );
    expect(listed.items.find((x) => x.id === id)?.status).toBe('cancelled');
    expect((await maintenances(t, 'scheduled-maintenances/upcoming.json')).map((x) => x.id)).not.toContain(
      id,
    );
    expect(await (await t.app.request('/')).text()).not.toContain('Email relay patching');
    const [m] = (await maintenances(t)).filter((x) => x.id === id);
    expect(m).toMatchObject({ status: 'completed', resolved_at: t.clock.now().toISOString() });
    expect(m!.incident_updates[0]).toMatchObject({
      status: 'completed',
      body: 'This scheduled maintenance has been cancelled.',
    });
    // Time passing over the cancelled window does not start it.
    t.clock.advance(5 * H + 60_000);
    t.snapshots.current();
    expect(await componentStatus(t, 'email')).toBe('operational');

    await refused(await api(t, 'POST', `/maintenances/${id}/cancel`), 409, `maintenance ${id} is cancelled`);
    expect((await api(t, 'PATCH', `/maintenances/${id}`, { title: 'x' })).status).toBe(409);
    expect((await api(t, 'POST', `/maintenances/${id}/updates`, { message: 'x' })).status).toBe(409);
    expect((await api(t, 'POST', '/maintenances/nope/cancel')).status).toBe(404);
    expect((await api(t, 'GET', '/maintenances/nope')).status).toBe(404);
    expect((await api(t, 'PATCH', '/maintenances/nope', { title: 'x' })).status).toBe(404);
  });

  it('refuses bad input with a 400 naming the field, and stores nothing', async () => {
    const t = await createTestApp(store());
    const base = {
      title: 'Bad',
      message: 'Bad.',
      components: ['billing'],
      scheduled_for: at(t, H),
      scheduled_until: at(t, 2 * H),
    };
    const count = async () =>
      (await ok<{ items: unknown[] }>(await api(t, 'GET', '/maintenances?limit=1000'))).items.length;
    const before = await count();
    await refused(
      await api(t, 'POST', '/maintenances', { ...base, scheduled_until: at(t, 0) }),
      400,
      'scheduled_until',
    );
    await refused(
      await api(t, 'POST', '/maintenances', { ...base, components: ['billing', 'nope'] }),
      400,
      'components',
    );
    expect(
      await refused(
        await api(t, 'POST', '/maintenances', {
          ...base,
          scheduled_for: '2020-01-01T00:00:00Z',
          scheduled_until: undefined,
          recurrence: 'FREQ=WEEKLY;COUNT=3',
          duration: '2h',
        }),
        400,
        'recurrence',
      ),
    ).toContain('no future occurrence');
    await refused(
      await api(t, 'POST', '/maintenances', {
        ...base,
        recurrence: 'FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31',
        duration: '1h',
      }),
      400,
      'recurrence',
    );
    await refused(
      await api(t, 'POST', '/maintenances', { ...base, recurrence: 'FREQ=DAILY' }),
      400,
      'duration',
    );
    await refused(
      await api(t, 'POST', '/maintenances', { ...base, recurrence: 'FREQ=DAILY', duration: 'soon' }),
      400,
      'duration',
    );
    expect(await count()).toBe(before);

    const { id } = await ok<{ id: string }>(await api(t, 'POST', '/maintenances', base), 201);
    await refused(
      await api(t, 'PATCH', `/maintenances/${id}`, { scheduled_until: at(t, 30 * 60_000) }),
      400,
      'scheduled_until',
    );
    await refused(await api(t, 'PATCH', `/maintenances/${id}`, { components: ['nope'] }), 400, 'components');
    await refused(await api(t, 'PATCH', `/maintenances/${id}`, { status: 'completed' }), 400, 'status');
    await refused(
      await api(t, 'POST', `/maintenances/${id}/updates`, { status: 'resolved', message: 'x' }),
      400,
      'status',
    );
    await refused(await api(t, 'POST', `/maintenances/${id}/updates`, {}), 400, 'message');
    await refused(
      await api(t, 'PATCH', `/maintenances/${id}`, {
        recurrence: 'FREQ=DAILY;UNTIL=20200101T000000Z',
        duration: '1h',
      }),
      400,
      'recurrence',
    );
    await refused(
      await api(t, 'POST', `/maintenances/${id}/complete`),
      409,
      `maintenance ${id} has not started`,
    );
    const detail = await ok<{ scheduled_until: string; recurrence: null; updates: unknown[] }>(
      await api(t, 'GET', `/maintenances/${id}`),
    );
    expect(detail).toMatchObject({ scheduled_until: base.scheduled_until, recurrence: null });
    expect(detail.updates).toHaveLength(1);
  });

  it('recurring weekly window: next occurrences in Berlin time, live occurrence mutes the component, completes early', async () => {
    const t = await createTestApp(store());
    await t.snapshots.get();
    // The clock starts Sunday 2026-11-01 10:00 UTC; Sundays 02:00 Berlin (CET) = 01:00 UTC.
    const { id } = await ok<{ id: string; recurrence: string; duration: string }>(
      await api(t, 'POST', '/maintenances', {
        title: 'Weekly search reindex',
        message: 'Search results may be stale.',
        components: ['search'],
        scheduled_for: at(t, 0),
        recurrence: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0',
        duration: '2h',
      }),
      201,
    );
    const upcoming = (await maintenances(t, 'scheduled-maintenances/upcoming.json')).filter((x) =>
      x.id.startsWith(`${id}-`),
    );
    expect(upcoming.map((x) => [x.scheduled_for, x.scheduled_until])).toEqual([
      ['2026-11-08T01:00:00.000Z', '2026-11-08T03:00:00.000Z'],
      ['2026-11-15T01:00:00.000Z', '2026-11-15T03:00:00.000Z'],
      ['2026-11-22T01:00:00.000Z', '2026-11-22T03:00:00.000Z'],
    ]);
    expect(new Set(upcoming.map((x) => x.id)).size).toBe(3);
    expect(await (await t.app.request('/')).text()).toContain('Weekly search reindex');

    t.clock.set('2026-11-08T01:30:00Z');
    t.snapshots.current();
    expect(await componentStatus(t, 'search')).toBe('under_maintenance');
    const active = (await maintenances(t, 'scheduled-maintenances/active.json')).filter((x) =>
      x.id.startsWith(`${id}-`),
    );
    expect(active.map((x) => [x.status, x.scheduled_for])).toEqual([
      ['in_progress', '2026-11-08T01:00:00.000Z'],
    ]);

    await ok(await api(t, 'POST', `/maintenances/${id}/complete`));
    expect(await componentStatus(t, 'search')).toBe('operational');
    const all = (await maintenances(t)).filter((x) => x.id.startsWith(`${id}-`));
    const done = all.find((x) => x.scheduled_for === '2026-11-08T01:00:00.000Z')!;
    expect(done).toMatchObject({ status: 'completed', resolved_at: '2026-11-08T01:30:00.000Z' });
    expect(done.incident_updates[0]!.body).toBe('The scheduled maintenance has been completed.');
    // The next occurrence is untouched: scheduled, without this occurrence's completion note.
    const next = all.find((x) => x.scheduled_for === '2026-11-15T01:00:00.000Z')!;
    expect(next.status).toBe('scheduled');
    expect(next.incident_updates.map((u) => u.status)).toEqual(['scheduled']);

    // Editing the rule moves the next occurrences; turning it into a one-off keeps the series start.
    await ok(
      await api(t, 'PATCH', `/maintenances/${id}`, {
        recurrence: 'FREQ=WEEKLY;BYDAY=SA;BYHOUR=23',
        duration: '1h',
      }),
    );
    const moved = (await maintenances(t, 'scheduled-maintenances/upcoming.json')).filter((x) =>
      x.id.startsWith(`${id}-`),
    );
    expect(moved[0]!.scheduled_for).toBe('2026-11-14T22:00:00.000Z');
  });
});
