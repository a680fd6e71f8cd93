import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/db.ts';
import { createTestApp } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';

describeEachDatabase('health and readiness', ({ store }) => {
  it('answers /healthz and /readyz when the database is reachable', async () => {
    const { app } = await createTestApp(store());
    expect((await app.request('/healthz')).status).toBe(200);
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ database: 'ok', rules: 'ok' });
  });

  it('serves Prometheus metrics', async () => {
    const { app } = await createTestApp(store());
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('incidentd_alerts_received_total');
  });
});

describe('readiness without a database', () => {
  it('answers 503 on /readyz when the database is unreachable', async () => {
    // Port 1 on loopback: nothing listens there, so every connection is refused at once.
    const store = await openStore({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', dataDir: '' });
    const { app } = await createTestApp(store, { syncCatalog: false });
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ database: 'unreachable' });
    await store.close();
  });
});
