import { describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.ts';
import { startIncidentd } from '../src/main.ts';
import { openStore } from '../src/store/db.ts';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN, testConfig } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';

const METRICS_TOKEN = 'test-metrics-token';
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describeEachDatabase('health and readiness', ({ store }) => {
  it('answers /healthz and /readyz when the database is reachable', async () => {
    const { app } = await createTestApp(store());
    expect((await app.request('/healthz')).status).toBe(200);
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ database: 'ok', rules: 'ok' });
  });

  it('serves Prometheus metrics to the admin token', async () => {
    const { app } = await createTestApp(store());
    const res = await app.request('/metrics', { headers: bearer(ADMIN_TOKEN) });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('incidentd_alerts_received_total');
  });
});

describeEachDatabase('/metrics needs a credential on the main port', ({ store }) => {
  const scrape = async (headers: Record<string, string> = {}) => {
    const { app } = await createTestApp(store(), { config: { metricsToken: METRICS_TOKEN } });
    return app.request('/metrics', { headers });
  };

  it('refuses a scrape without a credential, or with a wrong or the ingest one, and names no customer', async () => {
    for (const headers of [{}, bearer('nope'), bearer(INGEST_TOKEN), basic('prometheus', 'nope')]) {
      const res = await scrape(headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="metrics"/);
      const text = await res.text();
      expect(text).not.toContain('incidentd_');
      expect(text).not.toContain('acme');
    }
  });

  it('accepts the metrics token as Bearer or basic-auth password, and the admin token', async () => {
    for (const headers of [bearer(METRICS_TOKEN), basic('prometheus', METRICS_TOKEN), bearer(ADMIN_TOKEN)]) {
      const res = await scrape(headers);
      expect(res.status, JSON.stringify(headers)).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toContain('incidentd_alerts_received_total');
    }
  });

  it('answers 401 to every scrape when no metrics token is configured, except with the admin token', async () => {
    const { app } = await createTestApp(store());
    expect((await app.request('/metrics', { headers: bearer(METRICS_TOKEN) })).status).toBe(401);
    expect((await app.request('/metrics', { headers: bearer(ADMIN_TOKEN) })).status).toBe(200);
  });

  it('answers 404 on the main port when a separate metrics address is configured', async () => {
    const { app } = await createTestApp(store(), {
      config: { metricsToken: METRICS_TOKEN, metricsAddress: { host: '127.0.0.1', port: 0 } },
    });
    for (const headers of [{}, bearer(METRICS_TOKEN), bearer(ADMIN_TOKEN)])
      expect((await app.request('/metrics', { headers })).status).toBe(404);
  });
});

describe('a separate metrics listener', () => {
  it('serves /metrics without a credential on its own address, and nothing else; the main port answers 404', async () => {
    const service = await startIncidentd(
      testConfig({ metricsAddress: { host: '127.0.0.1', port: 0 }, metricsToken: null }),
      silentLogger,
    );
    try {
      expect(service.metricsServer).not.toBeNull();
      const metricsUrl = `http://127.0.0.1:${service.metricsServer!.port}`;
      const mainUrl = `http://127.0.0.1:${service.server.port}`;
      expect(service.metricsServer!.port).not.toBe(service.server.port);
      const res = await fetch(`${metricsUrl}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('incidentd_incidents_open');
      expect((await fetch(`${metricsUrl}/api/v1/incidents`, { headers: bearer(ADMIN_TOKEN) })).status).toBe(
        404,
      );
      expect((await fetch(`${metricsUrl}/`)).status).toBe(404);
      expect((await fetch(`${mainUrl}/metrics`, { headers: bearer(ADMIN_TOKEN) })).status).toBe(404);
      expect((await fetch(`${mainUrl}/healthz`)).status).toBe(200);
    } finally {
      await service.stop();
    }
    // Starts a whole service (migrations on an embedded store): slow on a busy machine.
  }, 120_000);
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
