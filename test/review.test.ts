import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';
import { type AmAlertSpec, alertmanagerBody, dbOutage } from './support/payloads.ts';

// review.md for a scripted incident in simulated time, compared byte for byte with a reviewed golden file.
// Regenerate (then read the diff!) with UPDATE_GOLDEN=1.
const GOLDEN = resolve(import.meta.dirname, 'fixtures/review.golden.md');

describeEachDatabase('review.md', ({ store }) => {
  it('renders the post-incident review draft of a scripted incident exactly', async () => {
    const { app, clock, runJobs } = await createTestApp(store());
    const at = (hhmmss: string) => clock.set(`2026-11-01T${hhmmss}Z`);
    const ingest = async (alerts: AmAlertSpec[]) => {
      const res = await app.request('/webhooks/alertmanager', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
        body: alertmanagerBody(alerts),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json()) as { incidents: string[] };
    };
    const act = async (path: string, body: unknown, actor: string) => {
      const res = await app.request(`/api/v1/incidents/${id}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-incidentd-actor': actor, ...bearer(ADMIN_TOKEN) },
        body: JSON.stringify(body),
      });
      expect(res.status, await res.clone().text()).toBeLessThan(300);
    };
    const started = { startsAt: '2026-11-01T09:57:00Z' };
    const storm = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark'];

    at('10:00:00');
    const opened = await ingest([
      dbOutage('acme', 'eu-west-1', started),
      dbOutage('globex', 'eu-west-1', started),
    ]);
    const id = opened.incidents[0]!;
    at('10:00:20');
    await ingest([dbOutage('initech', 'eu-west-1', started)]);
    at('10:01:00');
    // A storm of replicas failing for the same customers: one burst row on the timeline.
    await ingest(
      Array.from({ length: 12 }, (_, n) =>
        dbOutage(storm[n % 3]!, 'eu-west-1', {
          ...started,
          labels: { ...dbOutage(storm[n % 3]!).labels, instance: `pg-replica-${n}` },
        }),
      ),
    );
    at('10:04:00');
    await runJobs();
    at('10:04:30');
    await act('/acknowledge', {}, 'alice');
    at('10:12:00');
    await runJobs();
    at('10:15:30');
    await runJobs();
    at('10:16:00');
    await act('/assign', { owner: 'bob' }, 'alice');
    at('10:18:00');
    await act(
      '/notes',
      { message: 'Primary pg-eu-1 is *down*; failing over to <replica-2> | ETA 10 min' },
      'bob',
    );
    at('10:20:00');
    await act(
      '/updates',
      {
        status: 'identified',
        message: 'A database node failed. We are failing over to a replica.',
        next_update_in: '20m',
      },
      'bob',
    );
    at('10:32:00');
    await act('/updates', { status: 'monitoring', message: 'Failover complete; we are monitoring.' }, 'bob');
    at('10:33:00');
    await ingest([
      ...['acme', 'globex', 'initech'].map((c) =>
        dbOutage(c, 'eu-west-1', { ...started, status: 'resolved', endsAt: '2026-11-01T10:32:30Z' }),
      ),
      ...Array.from({ length: 12 }, (_, n) =>
        dbOutage(storm[n % 3]!, 'eu-west-1', {
          ...started,
          status: 'resolved',
          endsAt: '2026-11-01T10:32:30Z',
          labels: { ...dbOutage(storm[n % 3]!).labels, instance: `pg-replica-${n}` },
        }),
      ),
    ]);
    at('10:38:30');
    await runJobs();
    at('11:00:00');
    const res = await app.request(`/api/v1/incidents/${id}/review.md`, { headers: bearer(ADMIN_TOKEN) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    // Incident ids are random; everything else is fixed by the script and the manual clock.
    const markdown = (await res.text()).replaceAll(id, 'INCIDENT_ID');
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(GOLDEN)) {
      if (process.env.UPDATE_GOLDEN !== '1')
        throw new Error(`${GOLDEN} is missing: run with UPDATE_GOLDEN=1`);
      writeFileSync(GOLDEN, markdown);
    }
    expect(markdown).toBe(readFileSync(GOLDEN, 'utf8'));

    const missing = await app.request('/api/v1/incidents/nope/review.md', { headers: bearer(ADMIN_TOKEN) });
    expect(missing.status).toBe(404);
    expect((await app.request(`/api/v1/incidents/${id}/review.md`)).status).toBe(401);
  });
});
