import { expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer, createTestApp } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';

// PostgreSQL text refuses NUL (22021 on PostgreSQL; PGlite the same): a NUL that reaches a query must be
// the caller's 400 (or a 404 for a path), never a 500, on every route.

describeEachDatabase('NUL in requests', ({ store }) => {
  type App = Awaited<ReturnType<typeof createTestApp>>['app'];
  let app: App;
  const admin = bearer(ADMIN_TOKEN);
  const expectRefused = async (url: string, status: number, error: string) => {
    const res = await app.request(url, { headers: admin });
    expect(res.status, url).toBe(status);
    expect(await res.json(), url).toMatchObject({ error, message: expect.stringMatching(/NUL/) });
  };

  it('query strings with NUL are a 400 naming the parameter', async () => {
    app = (await createTestApp(store())).app;
    for (const url of [
      '/api/v1/alerts?source=%00',
      '/api/v1/alerts?source=a%00b',
      '/api/v1/incidents?customer=%00',
      '/api/v1/incidents?state=%00',
      '/api/v1/incidents?cursor=%00',
      '/api/v1/dead-letters?cursor=%00',
      '/api/v1/reports/sla?month=2026-11&customer=%00',
    ])
      await expectRefused(url, 400, 'invalid');
    const page = await app.request('/?lang=%00');
    expect(page.status).toBe(400);
  });

  it('paths with NUL are a 404', async () => {
    for (const url of [
      '/api/v1/incidents/%00',
      '/api/v1/incidents/%00/timeline',
      '/api/v1/incidents/x%00y/review.md',
      '/api/v1/dead-letters/%00',
      '/incidents/%00',
      '/internal/incidents/%00',
      '/customers/%00',
      '/webhooks/%00',
    ])
      await expectRefused(url, 404, 'not_found');
    const res = await app.request('/api/v1/incidents/%00/acknowledge', {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404);
  });

  it('a NUL inside a JSON body that reaches the database is a 400, not a 500', async () => {
    const res = await app.request('/api/v1/incidents', {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ severity: 'SEV2', title: 'a\u0000b', customers: ['x\u0000'] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid',
      message: 'text must not contain NUL characters (U+0000)',
    });
  });
});
