import { type Context, Hono } from 'hono';
import { digest } from '../../auth/tokens.ts';
import type { AppDeps } from '../app-deps.ts';
import { hasToken, unauthorized } from '../middleware/require-token.ts';

type MetricsDeps = Pick<AppDeps, 'metrics' | 'refreshGauges'>;

async function scrape(deps: MetricsDeps, c: Context) {
  await deps.refreshGauges();
  c.header('Content-Type', deps.metrics.registry.contentType);
  return c.body(await deps.metrics.registry.metrics());
}

/**
 * Health, readiness and metrics: what load balancers, orchestrators and Prometheus poll. Metrics name
 * customers, rules and internal incidents: on this (public) port they need the metrics or the admin token,
 * and with a separate metrics address (`metricsApp`) they are not served here at all.
 */
export function opsRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (deps.readiness.draining()) {
      c.header('Connection', 'close');
      return c.json({ status: 'shutting down' }, 503);
    }
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
  if (!deps.config.metricsAddress) {
    const metricsToken = deps.config.metricsToken ? digest(deps.config.metricsToken) : null;
    app.get('/metrics', async (c) => {
      const allowed = (metricsToken && hasToken(c, metricsToken)) || hasToken(c, deps.tokens.admin);
      if (!allowed) return unauthorized(c, 'metrics');
      return scrape(deps, c);
    });
  }
  return app;
}

/** The metrics listener (INCIDENTD_METRICS_ADDRESS): /metrics without a credential, nothing else. */
export function metricsApp(deps: MetricsDeps): Hono {
  const app = new Hono();
  app.get('/metrics', (c) => scrape(deps, c));
  app.notFound((c) => c.json({ error: 'not_found', message: 'only /metrics is served here' }, 404));
  return app;
}
