import { expect, it } from 'vitest';
import { ManualClock } from '../src/pipeline/ports.ts';
import { alertmanagerFingerprint } from '../src/sources/alertmanager/fingerprint.ts';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';

const basic = (password: string) => ({
  authorization: `Basic ${Buffer.from(`prometheus:${password}`).toString('base64')}`,
});
const post = (body: unknown, headers: Record<string, string> = bearer(INGEST_TOKEN)) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** One alert as Prometheus sends it, matching the sample rule regional-database-outage (rules/10-data.yaml). */
function promAlert(region: string, clock: ManualClock, extra: Record<string, unknown> = {}) {
  const labels = {
    alertname: 'PostgresDown',
    service: 'postgres',
    severity: 'critical',
    region,
    customer: 'acme',
  };
  return {
    labels,
    annotations: { summary: `Postgres down in ${region}` },
    startsAt: clock.now().toISOString(),
    endsAt: new Date(clock.now().getTime() + 4 * 60_000).toISOString(),
    generatorURL: 'http://prometheus:9090/graph?g0.expr=pg_up+%3D%3D+0',
    ...extra,
  };
}

describeEachDatabase('POST /api/v2/alerts (Prometheus)', ({ store }) => {
  const row = (fingerprint: string) =>
    store()
      .db.selectFrom('alerts')
      .selectAll()
      .where('source', '=', 'prometheus')
      .where('fingerprint', '=', fingerprint)
      .executeTakeFirstOrThrow();
  const incident = (id: string) =>
    store().db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('takes the ingest token as Bearer or basic auth password; anything else is 401 and stores nothing', async () => {
    const clock = new ManualClock(new Date('2026-11-01T10:00:00Z'));
    const { app } = await createTestApp(store(), { clock });
    const body = [promAlert('auth-test', clock)];
    for (const headers of [{}, bearer('wrong'), bearer(ADMIN_TOKEN), basic(ADMIN_TOKEN)]) {
      const res = await app.request('/api/v2/alerts', post(body, headers));
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
    }
    const fp = alertmanagerFingerprint(body[0]!.labels);
    expect(
      await store().db.selectFrom('alerts').select('id').where('fingerprint', '=', fp).execute(),
    ).toHaveLength(0);
    expect((await app.request('/api/v2/alerts', post(body, basic(INGEST_TOKEN)))).status).toBe(200);
    expect((await app.request('/api/v2/alerts', post(body, bearer(INGEST_TOKEN)))).status).toBe(200);
    expect((await app.request('/api/v2/status', { headers: bearer('wrong') })).status).toBe(401);
  });

  it('opens an incident, refreshes on resend, resolves on a past endsAt', async () => {
    const clock = new ManualClock(new Date('2026-11-01T10:00:00Z'));
    const { app } = await createTestApp(store(), { clock });
    const alert = promAlert('eu-prom-1', clock);
    const fp = alertmanagerFingerprint(alert.labels);
    const res = await app.request('/api/v2/alerts', post([alert]));
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { accepted: number; incidents: string[] };
    expect(answer.accepted).toBe(1);
    expect(answer.incidents).toHaveLength(1);
    const first = await row(fp);
    expect(first).toMatchObject({
      status: 'firing',
      incident_id: answer.incidents[0],
      rule: 'regional-database-outage',
    });
    expect(new Date(first.expires_at!).toISOString()).toBe(alert.endsAt);

    // Prometheus re-sends with a later endsAt: last seen moves, the expiry follows.
    clock.advance(60_000);
    const resent = { ...alert, endsAt: new Date(clock.now().getTime() + 4 * 60_000).toISOString() };
    expect((await app.request('/api/v2/alerts', post([resent]))).status).toBe(200);
    const refreshed = await row(fp);
    expect(refreshed.seen_count).toBe(2);
    expect(new Date(refreshed.last_seen_at).getTime()).toBe(clock.now().getTime());
    expect(new Date(refreshed.expires_at!).toISOString()).toBe(resent.endsAt);

    // The rule is gone or the condition cleared: Prometheus sends endsAt = now.
    clock.advance(30_000);
    const ended = { ...alert, endsAt: clock.now().toISOString() };
    expect((await app.request('/api/v2/alerts', post([ended]))).status).toBe(200);
    const resolved = await row(fp);
    expect(resolved.status).toBe('resolved');
    expect(new Date(resolved.ends_at!).toISOString()).toBe(ended.endsAt);
    expect(resolved.expires_at).toBeNull();
    expect((await incident(answer.incidents[0]!)).firing_count).toBe(0);
  });

  it('resolves an alert not re-sent by its endsAt through the expiry job, and its incident auto-resolves', async () => {
    const clock = new ManualClock(new Date('2026-11-02T10:00:00Z'));
    const { app, runJobs } = await createTestApp(store(), { clock });
    const alert = promAlert('eu-prom-2', clock);
    const fp = alertmanagerFingerprint(alert.labels);
    const { incidents } = (await (await app.request('/api/v2/alerts', post([alert]))).json()) as {
      incidents: string[];
    };
    clock.advance(4 * 60_000 - 1000);
    await runJobs();
    expect((await row(fp)).status).toBe('firing');
    clock.advance(2000);
    await runJobs();
    const expired = await row(fp);
    expect(expired.status).toBe('resolved');
    expect(new Date(expired.ends_at!).toISOString()).toBe(alert.endsAt);
    const events = await store()
      .db.selectFrom('alert_events')
      .select(['status', 'previous_status'])
      .where('alert_id', '=', expired.id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.status)).toEqual(['firing', 'resolved']);
    expect((await incident(incidents[0]!)).state).not.toBe('resolved');
    // resolve_after: 5m (the sample rule) after the last alert resolved.
    clock.advance(5 * 60_000 + 1000);
    await runJobs();
    expect((await incident(incidents[0]!)).state).toBe('resolved');
  });

  it('an expired alert re-sent with its old start fires again (Prometheus back after an outage)', async () => {
    const clock = new ManualClock(new Date('2026-11-05T10:00:00Z'));
    const { app, runJobs } = await createTestApp(store(), { clock });
    const alert = promAlert('eu-prom-3', clock);
    const fp = alertmanagerFingerprint(alert.labels);
    expect((await app.request('/api/v2/alerts', post([alert]))).status).toBe(200);
    clock.advance(10 * 60_000);
    await runJobs();
    const expired = await row(fp);
    expect(expired.status).toBe('resolved');
    // Marked as expired (not resolved by Prometheus).
    expect(new Date(expired.expires_at!).toISOString()).toBe(alert.endsAt);
    const resent = { ...alert, endsAt: new Date(clock.now().getTime() + 4 * 60_000).toISOString() };
    const res = await app.request('/api/v2/alerts', post([resent]));
    expect(await res.json()).toMatchObject({ changed: 1 });
    const again = await row(fp);
    expect(again.status).toBe('firing');
    expect(new Date(again.starts_at).getTime()).toBe(clock.now().getTime());
    expect(new Date(again.expires_at!).toISOString()).toBe(resent.endsAt);
    // A resolution by Prometheus itself is not an expiry: an old copy sent after it stays ignored.
    clock.advance(60_000);
    const ended = { ...resent, startsAt: again.starts_at, endsAt: clock.now().toISOString() };
    expect((await app.request('/api/v2/alerts', post([ended]))).status).toBe(200);
    expect(await row(fp)).toMatchObject({ status: 'resolved', expires_at: null });
    expect((await app.request('/api/v2/alerts', post([resent]))).status).toBe(200);
    expect((await row(fp)).status).toBe('resolved');
  });

  it('without endsAt, an alert expires resolve_timeout after it was last seen', async () => {
    const clock = new ManualClock(new Date('2026-11-03T10:00:00Z'));
    const { app, runJobs } = await createTestApp(store(), {
      clock,
      config: { prometheusResolveTimeoutMs: 5 * 60_000 },
    });
    const alert = { labels: { alertname: 'NoEnd', job: 'x' } };
    const fp = alertmanagerFingerprint(alert.labels);
    expect((await app.request('/api/v2/alerts', post([alert]))).status).toBe(200);
    clock.advance(4 * 60_000);
    await runJobs();
    expect((await app.request('/api/v2/alerts', post([alert]))).status).toBe(200);
    clock.advance(4 * 60_000);
    await runJobs();
    expect((await row(fp)).status).toBe('firing');
    clock.advance(60_000 + 1);
    await runJobs();
    const resolved = await row(fp);
    expect(resolved.status).toBe('resolved');
    expect(new Date(resolved.ends_at!).getTime()).toBe(clock.now().getTime() - 1);
  });

  it('a bad body is 400 naming the field and kept as a dead letter', async () => {
    const { app } = await createTestApp(store());
    const res = await app.request('/api/v2/alerts', post([{ labels: { a: 'b' } }, { labels: 'x' }]));
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { message: string; dead_letter_id: number };
    expect(answer.message).toBe('alerts[1].labels: expected object');
    const notArray = await app.request('/api/v2/alerts', post({ alerts: [] }));
    expect(notArray.status).toBe(400);
    expect(((await notArray.json()) as { message: string }).message).toBe(
      'body: expected a JSON array of alerts',
    );
    const kept = await app.request(`/api/v1/dead-letters/${answer.dead_letter_id}`, {
      headers: bearer(ADMIN_TOKEN),
    });
    expect(kept.status).toBe(200);
    expect(await kept.json()).toMatchObject({ source: 'prometheus' });
  });

  it('answers under INCIDENTD_ALERTMANAGER_API_PREFIX too, with Alertmanager status', async () => {
    const clock = new ManualClock(new Date('2026-11-04T10:00:00Z'));
    const { app } = await createTestApp(store(), {
      clock,
      config: { alertmanagerApiPrefix: '/alertmanager' },
    });
    const res = await app.request(
      '/alertmanager/api/v2/alerts',
      post([{ labels: { alertname: 'Prefixed' } }]),
    );
    expect(res.status).toBe(200);
    for (const path of ['/api/v2/status', '/alertmanager/api/v2/status']) {
      const status = await app.request(path, { headers: bearer(INGEST_TOKEN) });
      expect(status.status).toBe(200);
      const body = (await status.json()) as Record<string, Record<string, unknown>>;
      expect(body.cluster).toMatchObject({ status: 'disabled', peers: [] });
      expect(body.versionInfo?.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(typeof body.config?.original).toBe('string');
      expect(new Date(String(body.uptime)).toISOString()).toBe(clock.now().toISOString());
    }
    // Statuspage's public JSON next door is untouched.
    expect((await app.request('/api/v2/status.json')).status).toBe(200);
  });
});
