import { resolve } from 'node:path';
import type { Hono } from 'hono';
import { Registry } from 'prom-client';
import { digest } from '../../src/auth/tokens.ts';
import { loadConfig } from '../../src/config.ts';
import type { IntakeJournal } from '../../src/durability/intake-journal.ts';
import { type RunningServer, startServer } from '../../src/http/server.ts';
import { silentLogger } from '../../src/logger.ts';
import { assemble } from '../../src/main.ts';
import { systemClock } from '../../src/pipeline/ports.ts';
import { syncComponents } from '../../src/store/components.ts';
import type { StoreHandle } from '../../src/store/db.ts';
import { createMetrics } from '../../src/telemetry/metrics.ts';

export const INGEST_TOKEN = 'bench-ingest-token';
export const ADMIN_TOKEN = 'bench-admin-token';

/** The production service over `store`, wired by main.ts's assemble (sample rules and catalog), real clock. */
export function createBenchService(
  store: StoreHandle,
  journal: IntakeJournal | null = null,
): ReturnType<typeof assemble> {
  // An empty environment: the defaults, whatever the caller's shell exports.
  const config = {
    ...loadConfig({}, resolve(import.meta.dirname, '../..')),
    dataDir: 'memory://',
    logLevel: 'error' as const,
  };
  return assemble({
    config,
    store,
    clock: systemClock,
    log: silentLogger,
    metrics: createMetrics(new Registry()),
    tokens: { ingest: digest(INGEST_TOKEN), admin: digest(ADMIN_TOKEN) },
    journal,
  });
}

/**
 * The production app over `store` (webhooks are committed AND correlated by the sample rules); called with
 * app.request().
 */
export function createBenchApp(store: StoreHandle): Hono {
  return createBenchService(store).app;
}

export interface BenchServer {
  service: ReturnType<typeof createBenchService>;
  server: RunningServer;
  url: string;
  /** Closes clients and the server, stops the snapshot service and rules (the store stays open). */
  close(): Promise<void>;
}

/** The service as `serve` runs it: catalog components synced, first snapshot built, listening on loopback. */
export async function startBenchServer(store: StoreHandle): Promise<BenchServer> {
  const service = createBenchService(store);
  await syncComponents(store.db, loadConfig({}, resolve(import.meta.dirname, '../..')).catalog, new Date());
  await service.snapshots.rebuild();
  const server = await startServer(service.app, { port: 0, host: '127.0.0.1', websocket: true });
  return {
    service,
    server,
    url: `http://127.0.0.1:${server.port}`,
    close: async () => {
      service.hub.closeAll();
      service.internalHub.closeAll();
      await server.close(1_000);
      service.snapshots.stop();
      await service.snapshots.flush();
      service.rules.close();
    },
  };
}
