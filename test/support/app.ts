import { resolve } from 'node:path';
import { Registry } from 'prom-client';
import { digest } from '../../src/auth/tokens.ts';
import { loadCatalog, parseCatalog } from '../../src/catalog.ts';
import type { Config } from '../../src/config.ts';
import type { IntakeJournal } from '../../src/durability/intake-journal.ts';
import { silentLogger } from '../../src/logger.ts';
import { assemble } from '../../src/main.ts';
import { ManualClock } from '../../src/pipeline/ports.ts';
import { syncComponents } from '../../src/store/components.ts';
import type { StoreHandle } from '../../src/store/db.ts';
import { createMetrics } from '../../src/telemetry/metrics.ts';

export const INGEST_TOKEN = 'test-ingest-token';
export const ADMIN_TOKEN = 'test-admin-token';
export const ROOT = resolve(import.meta.dirname, '../..');

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: null,
    dataDir: 'memory://',
    rulesDir: resolve(ROOT, 'rules'),
    catalogFile: resolve(ROOT, 'incidentd.yaml'),
    catalog: loadCatalog(resolve(ROOT, 'incidentd.yaml')),
    ingestToken: INGEST_TOKEN,
    adminToken: ADMIN_TOKEN,
    grafanaHmacSecret: null,
    publicUrl: 'http://status.test',
    maxBodyBytes: 5 * 1024 * 1024,
    jobIntervalMs: 1000,
    logLevel: 'error',
    tracing: null,
    datadog: null,
    ...overrides,
  };
}

export { parseCatalog };

/** An in-process app over a real store, wired like production, with a manual clock and a fresh metrics registry. */
export async function createTestApp(
  store: StoreHandle,
  opts: {
    config?: Partial<Config>;
    clock?: ManualClock;
    syncCatalog?: boolean;
    /** Also register prom-client's process and Node.js metrics, as production does. */
    defaultMetrics?: boolean;
    /** Intake journal for the webhook route (embedded PGlite on disk). */
    journal?: IntakeJournal | null;
  } = {},
) {
  const config = testConfig(opts.config);
  const clock = opts.clock ?? new ManualClock(new Date('2026-11-01T10:00:00Z'));
  if (opts.syncCatalog !== false) await syncComponents(store.db, config.catalog, clock.now());
  const metrics = createMetrics(new Registry(), { defaultMetrics: opts.defaultMetrics ?? false });
  const service = assemble({
    config,
    store,
    clock,
    log: silentLogger,
    metrics,
    tokens: { ingest: digest(INGEST_TOKEN), admin: digest(ADMIN_TOKEN) },
    journal: opts.journal ?? null,
  });
  /** Runs the scheduled jobs once at the clock's current time. */
  const runJobs = async () => {
    for (const job of service.jobs) await job.run(clock.now());
  };
  return { ...service, metrics, clock, config, runJobs };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** POST /webhooks/alertmanager with the ingest token, in process. */
export const sendAlertmanager = (
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  body: string,
) =>
  app.request('/webhooks/alertmanager', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
    body,
  });
