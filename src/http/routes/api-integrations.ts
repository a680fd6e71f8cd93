import { Hono } from 'hono';
import type { DatadogIntegrationStatus } from '../../integrations/datadog/integration.ts';

/**
 * Integration health (mounted behind the admin token): is it on, and did the last calls per operation work?
 * Per replica: each keeps its own last success and error.
 */
export function integrationApiRoutes(deps: { datadog?: () => DatadogIntegrationStatus }): Hono {
  const app = new Hono();
  app.get('/integrations/datadog', (c) =>
    c.json(
      deps.datadog?.() ?? {
        enabled: false,
        site: null,
        api_url: null,
        features: { events: false, monitor_lookup: false, reconcile: false },
        message: 'the Datadog integration is not wired in this app',
        operations: {},
        monitor_cache: null,
        reconcile: null,
      },
    ),
  );
  return app;
}
