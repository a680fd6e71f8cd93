import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.ts';

/** Health, readiness and metrics: what load balancers, orchestrators and Prometheus poll. */
export function opsRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const database = await deps.store.ping();
    const rules = deps.readiness.rulesLoaded();
    const ok = database && rules;
    return c.json(
      {
        status: ok ? 'ready' : 'not ready',
        database: database ? 'ok' : 'unreachable',
        rules: rules ? 'ok' : 'not loaded',
      },
      ok ? 200 : 503,
    );
  });
  app.get('/metrics', async (c) => {
    await deps.refreshGauges?.();
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });
  return app;
}
