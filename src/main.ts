import { Registry } from 'prom-client';
import { resolveTokens } from './auth/tokens.ts';
import type { Config } from './config.ts';
import { createApp } from './http/app.ts';
import { type RunningServer, startServer } from './http/server.ts';
import { type Clock, type Logger, systemClock } from './pipeline/ports.ts';
import { syncComponents } from './store/components.ts';
import { openStore, type StoreHandle } from './store/db.ts';
import { migrateToLatest } from './store/migrate.ts';
import { waitForDatabase } from './store/wait-for-database.ts';
import { createMetrics } from './telemetry/metrics.ts';

export interface Incidentd {
  server: RunningServer;
  store: StoreHandle;
  stop(): Promise<void>;
}

/** The composition root: the only place that constructs adapters and wires them together. */
export async function startIncidentd(
  config: Config,
  log: Logger,
  clock: Clock = systemClock,
): Promise<Incidentd> {
  const started = performance.now();
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await waitForDatabase(store, config.databaseUrl ? 10_000 : 0);
    const applied = await migrateToLatest(store);
    if (applied.length) log.info('migrations applied', { count: applied.length, latest: applied.at(-1) });
    await syncComponents(store.db, config.catalog, clock.now());
    const tokens = await resolveTokens(
      store.db,
      { ingest: config.ingestToken, admin: config.adminToken },
      log,
    );
    const metrics = createMetrics(new Registry(), { defaultMetrics: true });
    const app = createApp({
      config,
      store,
      clock,
      log,
      metrics,
      tokens,
      readiness: { rulesLoaded: () => true },
    });
    const server = await startServer(app, { port: config.port, host: config.host });
    log.info('incidentd ready', {
      url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${server.port}`,
      storage: store.kind === 'pglite' ? `embedded PGlite (${config.dataDir})` : 'PostgreSQL',
      startup_ms: Math.round(performance.now() - started),
    });
    return {
      server,
      store,
      stop: async () => {
        await server.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
}
