import { Hono } from 'hono';
import type { Tokens } from '../auth/tokens.ts';
import type { Config } from '../config.ts';
import type { Clock, Logger } from '../pipeline/ports.ts';
import type { StoreHandle } from '../store/db.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { errorHandler } from './errors.ts';
import { opsRoutes } from './routes/ops.ts';
import { publicRoutes } from './routes/public.ts';

/** Everything the HTTP layer needs, built by main.ts (or a test) and passed in. */
export interface AppDeps {
  config: Config;
  store: StoreHandle;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  tokens: Tokens;
  readiness: { rulesLoaded(): boolean };
  /** Recomputes store-derived gauges before a scrape. */
  refreshGauges?: () => Promise<void>;
}

/** Builds the application; never listens (tests call `app.request()`). */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.onError(errorHandler(deps.log));
  app.notFound((c) =>
    c.json({ error: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` }, 404),
  );
  app.route('/', opsRoutes(deps));
  app.route('/', publicRoutes(deps));
  return app;
}
