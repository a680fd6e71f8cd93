import { resolve } from 'node:path';
import type { Hono } from 'hono';
import { Registry } from 'prom-client';
import { digest } from '../../src/auth/tokens.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { assemble } from '../../src/main.ts';
import { systemClock } from '../../src/pipeline/ports.ts';
import type { StoreHandle } from '../../src/store/db.ts';
import { createMetrics } from '../../src/telemetry/metrics.ts';

export const INGEST_TOKEN = 'bench-ingest-token';

/**
 * The production app over `store`, wired by main.ts's assemble (sample rules loaded, so webhooks are
 * committed AND correlated), with a real clock; called with app.request().
 */
export function createBenchApp(store: StoreHandle): Hono {
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
    tokens: { ingest: digest(INGEST_TOKEN), admin: digest('bench-admin-token') },
  }).app;
}
