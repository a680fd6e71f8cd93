import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/pipeline/ports.ts';
import { createSilenceCache } from '../src/store/silence-cache.ts';
import { apiClient, expectAdminOnly } from './support/api.ts';
import { bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';
import { FORM_HEADERS, formBody, loginToConsole } from './support/internal-session.ts';
import { alertmanagerBody } from './support/payloads.ts';

type Json = Record<string, unknown>;
type App = Awaited<ReturnType<typeof createTestApp>>['app'];

async function fire(app: App, alerts: { labels: Record<string, string>; status?: 'firing' | 'resolved' }[]) {
  const res = await app.request('/webhooks/alertmanager', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
    body: alertmanagerBody(alerts),
  });
  expect(res.status).toBe(200);
}

const NOW = new Date('2026-11-01T10:00:00Z');
const inMinutes = (m: number) => new Date(NOW.getTime() + m * 60_000).toISOString();
const silenceBody = (matchers: unknown[], extra: Json = {}) => ({
  matchers,
  startsAt: NOW.toISOString(),
  endsAt: inMinutes(60),
  createdBy: 'alice',
  comment: 'disk replacement on db-7',
  ...extra,
});

describeEachDatabase('silences API', ({ store }) => {
  it.each([
    ['GET', '/silences'],
    ['POST', '/silences'],
    ['GET', '/silences/x'],
    ['DELETE', '/silences/x'],
  ])('%s %s: 401 without the admin token, and with the ingest token', async (method, path) => {
    const { app } = await createTestApp(store());
    await expectAdminOnly(app, method, path);
  });

  it('creates, gets, lists and expires a silence, with Alertmanager field names and states', async () => {
    const clock = new ManualClock(NOW);
    const { app } = await createTestApp(store(), { clock });
    const api = apiClient(app);
    const matchers = [
      { name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true },
      { name: 'instance', value: 'db-7.*', isRegex: true, isEqual: true },
    ];
    const created = await api('POST', '/silences', silenceBody(matchers));
    expect(created.status).toBe(200);
    const id = created.json.silenceID as string;
    expect(id).toMatch(/^[0-9a-z]{12}$/);
    expect(created.json.matches_now).toBe(0);

    const got = await api('GET', `/silences/${id}`);
    expect(got.status).toBe(200);
    expect(got.json).toEqual({
      id,
      status: { state: 'active' },
      matchers,
      startsAt: NOW.toISOString(),
      endsAt: inMinutes(60),
      updatedAt: NOW.toISOString(),
      createdBy: 'alice',
      comment: 'disk replacement on db-7',
    });

    const pending = await api(
      'POST',
      '/silences',
      silenceBody([{ name: 'alertname', value: 'Later', isRegex: false }], {
        startsAt: inMinutes(30),
        endsAt: inMinutes(90),
      }),
    );
    const pendingId = pending.json.silenceID as string;
    expect((await api('GET', `/silences/${pendingId}`)).json.status).toEqual({ state: 'pending' });
    // isEqual defaults to true, as in Alertmanager.
    expect(((await api('GET', `/silences/${pendingId}`)).json.matchers as Json[])[0]!.isEqual).toBe(true);

    const list = await api('GET', '/silences');
    expect(list.status).toBe(200);
    expect(list.json.next_cursor).toBeNull();
    const ids = (list.json.items as Json[]).map((s) => s.id);
    expect(ids).toContain(id);
    expect(ids).toContain(pendingId);
    const active = (await api('GET', '/silences?state=active')).json.items as Json[];
    expect(active.map((s) => s.id)).toContain(id);
    expect(active.map((s) => s.id)).not.toContain(pendingId);

    clock.set(inMinutes(5));
    const expired = await api('DELETE', `/silences/${id}`);
    expect(expired.status).toBe(200);
    expect(expired.json.status).toEqual({ state: 'expired' });
    expect(expired.json.endsAt).toBe(inMinutes(5));
    // A pending silence expired early starts and ends now.
    const expiredPending = await api('DELETE', `/silences/${pendingId}`);
    expect(expiredPending.json).toMatchObject({
      status: { state: 'expired' },
      startsAt: inMinutes(5),
      endsAt: inMinutes(5),
    });
    // Expiring again changes nothing.
    clock.set(inMinutes(10));
    expect((await api('DELETE', `/silences/${id}`)).json.endsAt).toBe(inMinutes(5));
    const expiredList = (await api('GET', '/silences?state=expired')).json.items as Json[];
    expect(expiredList.map((s) => s.id)).toEqual(expect.arrayContaining([id, pendingId]));
    expect((await api('GET', '/silences?state=active')).json.items).not.toContainEqual(
      expect.objectContaining({ id }),
    );

    expect((await api('GET', '/silences/nope')).status).toBe(404);
    expect((await api('DELETE', '/silences/nope')).status).toBe(404);
    expect((await api('GET', '/silences?state=muted')).status).toBe(400);
  });

  it('pages newest first with a cursor', async () => {
    const clock = new ManualClock(NOW);
    const { app } = await createTestApp(store(), { clock });
    const api = apiClient(app);
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock.set(new Date(NOW.getTime() + 1000 * (i + 1)));
      const r = await api(
        'POST',
        '/silences',
        silenceBody([{ name: 'page', value: String(i), isRegex: false }]),
      );
      made.push(r.json.silenceID as string);
    }
    const first = await api('GET', '/silences?limit=2');
    expect((first.json.items as Json[]).map((s) => s.id)).toEqual([made[2], made[1]]);
    const second = await api('GET', `/silences?limit=2&cursor=${first.json.next_cursor}`);
    expect((second.json.items as Json[])[0]!.id).toBe(made[0]);
  });

  it('400s name the field: invalid regex, end before start, no matchers, match-everything, missing fields', async () => {
    const { app } = await createTestApp(store(), { clock: new ManualClock(NOW) });
    const api = apiClient(app);
    const bad = async (body: unknown) => {
      const r = await api('POST', '/silences', body);
      expect(r.status).toBe(400);
      return r.json.message as string;
    };
    expect(
      await bad(
        silenceBody([
          { name: 'alertname', value: 'X', isRegex: false, isEqual: true },
          { name: 'instance', value: 'db-(', isRegex: true, isEqual: true },
        ]),
      ),
    ).toMatch(/^matchers\[1\]\.value: invalid regular expression/);
    expect(
      await bad(
        silenceBody([{ name: 'a', value: 'b', isRegex: false }], {
          startsAt: inMinutes(30),
          endsAt: inMinutes(20),
        }),
      ),
    ).toBe('endsAt: must be after startsAt');
    expect(await bad(silenceBody([]))).toBe('matchers: at least one matcher is required');
    expect(await bad(silenceBody([{ name: 'env', value: '.*', isRegex: true }]))).toMatch(
      /^matchers: every matcher matches the empty string/,
    );
    expect(
      await bad({ ...silenceBody([{ name: 'a', value: 'b', isRegex: false }]), comment: undefined }),
    ).toBe('comment: required');
    expect(await bad(silenceBody([{ name: 'a', value: 1, isRegex: false }]))).toMatch(
      /^matchers\[0\]\.value: /,
    );
    expect(await bad(silenceBody([{ name: 'a', value: 'b' }], { endsAt: 'tomorrow' }))).toMatch(/^endsAt: /);
    expect(await bad(silenceBody([{ name: 'a', value: 'b' }], { id: 'abc' }))).toMatch(/^id: updating/);
    expect(await bad('{')).toBe('body: not valid JSON');
  });

  it('answers matches_now: the firing alerts the new silence matches', async () => {
    const { app } = await createTestApp(store(), { clock: new ManualClock(NOW) });
    const api = apiClient(app);
    await fire(app, [
      { labels: { alertname: 'MatchNow', instance: 'mn-1', team: 'db' } },
      { labels: { alertname: 'MatchNow', instance: 'mn-2', team: 'web' } },
      { labels: { alertname: 'MatchNow', instance: 'mn-3' } },
      { labels: { alertname: 'MatchNow', instance: 'mn-4', team: 'db' }, status: 'resolved' },
    ]);
    const count = async (matchers: unknown[]) =>
      (await api('POST', '/silences', silenceBody(matchers))).json.matches_now;
    expect(await count([{ name: 'alertname', value: 'MatchNow', isRegex: false }])).toBe(3);
    expect(
      await count([
        { name: 'alertname', value: 'MatchNow' },
        { name: 'team', value: 'db' },
      ]),
    ).toBe(1);
    expect(
      await count([
        { name: 'alertname', value: 'MatchNow' },
        { name: 'team', value: 'db', isEqual: false },
      ]),
    ).toBe(2);
    expect(await count([{ name: 'instance', value: 'mn-[12]', isRegex: true }])).toBe(2);
    expect(
      await count([
        { name: 'alertname', value: 'MatchNow' },
        { name: 'team', value: '' },
      ]),
    ).toBe(1);
    expect(await count([{ name: 'alertname', value: 'NothingYet' }])).toBe(0);
  });

  it('GET /alerts?silenced=true and ?muted=true list what was held back, with silenced_by and muted_by', async () => {
    const { app } = await createTestApp(store(), { clock: new ManualClock(NOW) });
    const api = apiClient(app);
    await fire(app, [
      { labels: { alertname: 'HeldBack', instance: 'hb-1' } },
      { labels: { alertname: 'HeldBack', instance: 'hb-2' } },
      { labels: { alertname: 'HeldBack', instance: 'hb-3' } },
    ]);
    // What the ingest hook will write (it is wired after the pipeline refactor).
    const db = store().db;
    const idOf = async (instance: string) =>
      (
        await db
          .selectFrom('alerts')
          .select('id')
          .where((eb) => eb(eb.fn('jsonb_extract_path_text', ['labels', eb.val('instance')]), '=', instance))
          .executeTakeFirstOrThrow()
      ).id;
    await db
      .updateTable('alerts')
      .set({ silenced_by: 'sil-1' })
      .where('id', '=', await idOf('hb-1'))
      .execute();
    await db
      .updateTable('alerts')
      .set({ muted_by: 'mnt-1' })
      .where('id', '=', await idOf('hb-2'))
      .execute();

    const silenced = (await api('GET', '/alerts?silenced=true')).json.items as Json[];
    expect(silenced.map((a) => [(a.labels as Json).instance, a.silenced_by, a.muted_by])).toEqual([
      ['hb-1', 'sil-1', null],
    ]);
    const muted = (await api('GET', '/alerts?muted=true')).json.items as Json[];
    expect(muted.map((a) => [(a.labels as Json).instance, a.silenced_by, a.muted_by])).toEqual([
      ['hb-2', null, 'mnt-1'],
    ]);
    const neither = (await api('GET', '/alerts?silenced=false&muted=false')).json.items as Json[];
    const instances = neither.map((a) => (a.labels as Json).instance);
    expect(instances).toContain('hb-3');
    expect(instances).not.toContain('hb-1');
    expect(instances).not.toContain('hb-2');
    expect((await api('GET', '/alerts?silenced=yes')).status).toBe(400);
  });
});

describeEachDatabase('silence from an alert (console)', ({ store }) => {
  it('the console offers a Silence form per unrouted alert; it creates a silence of its labels, with CSRF', async () => {
    const clock = new ManualClock(NOW);
    const { app } = await createTestApp(store(), { clock });
    const api = apiClient(app);
    const labels = { alertname: 'ConsoleSilence', instance: 'cs-1', zone: 'a' };
    await fire(app, [{ labels }]);
    const { cookie, csrf, html } = await loginToConsole(app);
    const action = /action="(\/internal\/alerts\/[^"]+\/silence)"/.exec(html)?.[1];
    expect(action).toBeDefined();
    const post = (fields: Record<string, string>) =>
      app.request(action!, { method: 'POST', headers: { ...FORM_HEADERS, cookie }, body: formBody(fields) });

    expect((await post({ duration: '1h' })).status).toBe(403); // no CSRF token
    expect((await post({ duration: '1h', _csrf: `${csrf.slice(0, -2)}AA` })).status).toBe(403);
    expect((await post({ duration: '7d', _csrf: csrf })).status).toBe(400);
    expect((await post({ duration: 'toString', _csrf: csrf })).status).toBe(400);
    expect((await api('GET', '/silences')).json.items).toEqual([]);

    const res = await post({ duration: '1h', comment: 'known, fixing', _csrf: csrf });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/internal');
    const items = (await api('GET', '/silences')).json.items as Json[];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      status: { state: 'active' },
      matchers: [
        { name: 'alertname', value: 'ConsoleSilence', isRegex: false, isEqual: true },
        { name: 'instance', value: 'cs-1', isRegex: false, isEqual: true },
        { name: 'zone', value: 'a', isRegex: false, isEqual: true },
      ],
      endsAt: inMinutes(60),
      createdBy: 'alice',
      comment: 'known, fixing',
    });
  });
});

describeEachDatabase('silence cache (the ingest hook)', ({ store }) => {
  it('loads once, matches by time without a reload, and reloads after invalidate', async () => {
    const clock = new ManualClock(NOW);
    const { app } = await createTestApp(store(), { clock });
    const api = apiClient(app);
    const cache = createSilenceCache({ db: store().db, clock });
    const labels = { alertname: 'CacheTest', instance: 'c-1' };

    expect((await cache.current()).matchAt(labels, clock.now())).toBeNull();
    const { silenceID } = (
      await api(
        'POST',
        '/silences',
        silenceBody([{ name: 'alertname', value: 'CacheTest', isRegex: false }], {
          startsAt: inMinutes(10),
          endsAt: inMinutes(20),
        }),
      )
    ).json as { silenceID: string };
    // Not invalidated: the cached set (loaded before the silence existed) is kept.
    expect((await cache.current()).matchAt(labels, clock.now())).toBeNull();
    cache.invalidate();
    const set = await cache.current();
    expect(set.matchAt(labels, clock.now())).toBeNull(); // pending
    expect(set.matchAt(labels, new Date(inMinutes(10)))).toBe(silenceID); // active, same set
    expect(set.matchAt(labels, new Date(inMinutes(20)))).toBeNull(); // ended
    expect(await cache.current()).toBe(set); // no reload while fresh

    // Past maxAge (60 s) the set is reloaded even without an invalidation.
    clock.set(inMinutes(2));
    expect(await cache.current()).not.toBe(set);

    await api('DELETE', `/silences/${silenceID}`);
    cache.invalidate();
    expect((await cache.current()).matchAt(labels, new Date(inMinutes(15)))).toBeNull();
  });
});

describe('silence.changed crosses replicas', () => {
  it('is a change event the LISTEN/NOTIFY bridge forwards', async () => {
    const { decodeNotification, encodeNotification } = await import('../src/publish/pg-notify-bridge.ts');
    const event = { type: 'silence.changed' as const, silenceId: 'abc' };
    expect(decodeNotification(encodeNotification(event, 'r1'))).toEqual({ origin: 'r1', event });
  });
});
