import { Hono } from 'hono';
import type { IngestLimits } from '../core/ingest-limits.ts';
import type { WebhookDeps } from '../pipeline/process-webhook.ts';
import type { AppDeps } from './app-deps.ts';
import type { SilenceWriteDeps } from './create-silence.ts';
import { errorHandler } from './errors.ts';
import { internalAuth } from './middleware/internal-auth.ts';
import { refuseNul } from './middleware/refuse-nul.ts';
import { requireToken } from './middleware/require-token.ts';
import { createOutageLog } from './outage-log.ts';
import { alertApiRoutes } from './routes/api-alerts.ts';
import { incidentApiRoutes } from './routes/api-incidents.ts';
import { integrationApiRoutes } from './routes/api-integrations.ts';
import { maintenanceApiRoutes } from './routes/api-maintenances.ts';
import { notificationApiRoutes } from './routes/api-notifications.ts';
import { reportApiRoutes } from './routes/api-reports.ts';
import { reviewApiRoutes } from './routes/api-review.ts';
import { silenceApiRoutes } from './routes/api-silences.ts';
import { customerViewRoutes } from './routes/customer-view.ts';
import { internalSocketRoutes } from './routes/internal.ts';
import { consoleRoutes } from './routes/internal-console.ts';
import { incidentPageRoutes } from './routes/internal-incident.ts';
import { loginRoutes } from './routes/internal-login.ts';
import { internalReportRoutes } from './routes/internal-reports.ts';
import { internalSilenceRoutes } from './routes/internal-silence.ts';
import { opsRoutes } from './routes/ops.ts';
import { pagerdutyEnqueueRoutes } from './routes/pagerduty-enqueue.ts';
import { prometheusApiRoutes } from './routes/prometheus-api.ts';
import { publicRoutes } from './routes/public.ts';
import { statuspageApiRoutes } from './routes/statuspage-api.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { securityHeaders } from './security-headers.ts';

/**
 * The ingest wiring of the webhook route, dead-letter replay and the journal replay at start (main.ts): all three
 * call `processWebhookBody` (pipeline/process-webhook.ts) with it, so each body is bounded by the same limits.
 */
export function ingestDepsOf(
  deps: Pick<AppDeps, 'store' | 'clock' | 'newId' | 'metrics' | 'router' | 'log' | 'enrich'> & {
    limits?: IngestLimits | undefined;
  },
): WebhookDeps {
  return {
    ingest: {
      db: deps.store.db,
      clock: deps.clock,
      newId: deps.newId,
      metrics: deps.metrics,
      router: deps.router,
      log: deps.log,
      ...(deps.enrich ? { enrich: deps.enrich } : {}),
    },
    ...(deps.limits ? { limits: deps.limits } : {}),
  };
}

/** Builds the application; never listens (tests call `app.request()`). */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const outage = createOutageLog({ log: deps.log, clock: deps.clock, ping: () => deps.store.ping() });
  app.onError(errorHandler(deps.log, outage));
  app.use(securityHeaders());
  app.use(refuseNul());
  app.notFound((c) =>
    c.json({ error: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` }, 404),
  );
  const ingest = ingestDepsOf({ ...deps, limits: deps.config.limits });
  const silenceWrites: SilenceWriteDeps = {
    db: deps.store.db,
    clock: deps.clock,
    silences: deps.silences,
    newId: deps.newId,
    announce: (silenceId) => deps.statusPage.announce({ type: 'silence.changed', silenceId }),
  };
  app.route('/', opsRoutes(deps));
  app.route('/', webhookRoutes(deps, ingest));
  app.route('/', prometheusApiRoutes(deps, ingest));
  app.route('/', pagerdutyEnqueueRoutes(deps, ingest));
  app.use(
    '/api/v1/*',
    requireToken(() => deps.tokens.admin, 'admin'),
  );
  app.route('/api/v1', alertApiRoutes(deps, ingest));
  app.route('/api/v1', incidentApiRoutes(deps, deps.actions));
  app.route('/api/v1', notificationApiRoutes(deps));
  const pageDeps = { db: deps.store.db, clock: deps.clock, catalog: deps.config.catalog };
  app.route('/api/v1', reportApiRoutes(pageDeps));
  app.route('/api/v1', integrationApiRoutes({ datadog: deps.datadogStatus }));
  app.route('/api/v1', reviewApiRoutes(pageDeps));
  const status = deps.statusPage;
  app.route(
    '/api/v1',
    maintenanceApiRoutes(deps, deps.newId, (e) => status.announce(e)),
  );
  app.route('/api/v1', silenceApiRoutes(silenceWrites));
  // Internal pages: the session/token guard covers every route under /internal, mounted now or later.
  const adminToken = () => deps.tokens.admin;
  const guard = internalAuth({
    signer: deps.signer,
    adminToken,
    clock: deps.clock,
    publicUrl: deps.config.publicUrl,
  });
  app.use('/internal', guard);
  app.use('/internal/*', guard);
  app.route(
    '/internal',
    loginRoutes({
      signer: deps.signer,
      adminToken,
      clock: deps.clock,
      publicUrl: deps.config.publicUrl,
      pageName: deps.config.catalog.status_page.title,
    }),
  );
  app.route('/internal', consoleRoutes(pageDeps));
  app.route('/internal', incidentPageRoutes({ ...pageDeps, actions: deps.actions }));
  app.route('/internal', internalSilenceRoutes(silenceWrites));
  app.route('/internal', internalReportRoutes(pageDeps));
  app.route('/internal', internalSocketRoutes(deps.internalHub));
  app.route('/', publicRoutes(status));
  app.route('/api/v2', statuspageApiRoutes(status.snapshots));
  app.route('/customers', customerViewRoutes(status.snapshots, deps.config.catalog.customers));
  return app;
}
