import { Hono } from 'hono';
import { createSessionSigner } from '../auth/session.ts';
import type { Tokens } from '../auth/tokens.ts';
import type { Config } from '../config.ts';
import type { IntakeJournal } from '../durability/intake-journal.ts';
import { newId } from '../ids.ts';
import type { DatadogIntegrationStatus } from '../integrations/datadog/integration.ts';
import { notificationTargets } from '../integrations/datadog/targets.ts';
import { createIncidentActions, type IncidentActions } from '../pipeline/actions.ts';
import type { AlertRouter, IngestDeps } from '../pipeline/ingest.ts';
import type { Clock, Logger } from '../pipeline/ports.ts';
import type { WebSocketHub } from '../publish/websocket-hub.ts';
import type { StoreHandle } from '../store/db.ts';
import { createSilenceCache, type SilenceCache } from '../store/silence-cache.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import type { SilenceWriteDeps } from './create-silence.ts';
import { errorHandler } from './errors.ts';
import { internalAuth } from './middleware/internal-auth.ts';
import { journalScope } from './middleware/journal-scope.ts';
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
import { internalRoutes } from './routes/internal.ts';
import { internalReportRoutes } from './routes/internal-reports.ts';
import { opsRoutes } from './routes/ops.ts';
import { publicRoutes, type StatusPageDeps } from './routes/public.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { securityHeaders } from './security-headers.ts';

/** Everything the HTTP layer needs, built by main.ts (or a test) and passed in. */
export interface AppDeps {
  config: Config;
  store: StoreHandle;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  tokens: Tokens;
  /** draining: shutting down (SIGTERM), /readyz answers 503 whatever else holds. */
  readiness: { rulesLoaded(): boolean; draining?(): boolean };
  /** The running rule set's router (null: no rules loaded, every alert stays unrouted). */
  router?: () => AlertRouter | null;
  /** Recomputes store-derived gauges before a scrape. */
  refreshGauges?: () => Promise<void>;
  /** Responders' incident actions (main.ts wires them to the event bus; without it, nothing is announced). */
  actions?: IncidentActions;
  /** The public status page (snapshot, WebSocket hub); without it no public or maintenance routes are mounted. */
  statusPage?: StatusPageDeps;
  /** The internal pages' WebSocket hub (/internal/ws); without it, no live channel is mounted. */
  internalHub?: WebSocketHub;
  /** Server secret for session cookies (settings table); null: derived from the admin token digest. */
  sessionSecret?: Buffer | null;
  /** Webhook enrichment before ingest (Datadog monitor look-ups); none when absent. */
  enrich?: IngestDeps['enrich'];
  /** Integration health for GET /api/v1/integrations/datadog. */
  datadogStatus?: () => DatadogIntegrationStatus;
  /** The active-silence cache shared with the ingest path (main.ts); without it the API keeps its own. */
  silences?: SilenceCache;
  /** Intake journal (embedded PGlite on disk): webhook bodies are fdatasync'ed before processing. */
  journal?: IntakeJournal | null;
}

/** The ingest wiring of the webhook route, dead-letter replay and the journal replay at start. */
export function ingestDepsOf(
  deps: Pick<AppDeps, 'store' | 'clock' | 'metrics' | 'router'> & { enrich?: IngestDeps['enrich'] | null },
): IngestDeps {
  return {
    db: deps.store.db,
    clock: deps.clock,
    newId,
    metrics: deps.metrics,
    router: deps.router ?? (() => null),
    ...(deps.enrich ? { enrich: deps.enrich } : {}),
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
  const ingest = ingestDepsOf(deps);
  const silenceWrites: SilenceWriteDeps = {
    db: deps.store.db,
    clock: deps.clock,
    silences: deps.silences ?? createSilenceCache({ db: deps.store.db, clock: deps.clock }),
    newId,
    announce: (silenceId) => deps.statusPage?.announce({ type: 'silence.changed', silenceId }),
  };
  app.route('/', opsRoutes(deps));
  if (deps.journal) app.use('/webhooks/*', journalScope(deps.journal));
  app.route('/', webhookRoutes(deps, ingest));
  app.use(
    '/api/v1/*',
    requireToken(() => deps.tokens.admin, 'admin'),
  );
  app.route('/api/v1', alertApiRoutes(deps, ingest));
  const actions =
    deps.actions ??
    createIncidentActions({
      db: deps.store.db,
      clock: deps.clock,
      newId,
      settings: {
        sla: deps.config.catalog,
        notifications: notificationTargets(deps.config.catalog.notifications, deps.config.datadog != null),
      },
      componentIds: new Set(deps.config.catalog.components.map((c) => c.id)),
      onCommit: () => {},
    });
  app.route('/api/v1', incidentApiRoutes(deps, actions));
  app.route('/api/v1', notificationApiRoutes(deps));
  const reportDeps = { db: deps.store.db, clock: deps.clock, catalog: deps.config.catalog };
  app.route('/api/v1', reportApiRoutes(reportDeps));
  app.route('/api/v1', integrationApiRoutes(deps.datadogStatus ? { datadog: deps.datadogStatus } : {}));
  app.route(
    '/api/v1',
    reviewApiRoutes({ db: deps.store.db, clock: deps.clock, catalog: deps.config.catalog }),
  );
  app.route('/api/v1', silenceApiRoutes(silenceWrites));
  // Internal pages: the session/token guard covers every route under /internal, mounted now or later.
  const signer = createSessionSigner({
    secret: deps.sessionSecret ?? null,
    adminDigest: () => deps.tokens.admin,
  });
  const guard = internalAuth({
    signer,
    adminToken: () => deps.tokens.admin,
    clock: deps.clock,
    publicUrl: deps.config.publicUrl,
  });
  app.use('/internal', guard);
  app.use('/internal/*', guard);
  app.route(
    '/internal',
    internalRoutes({
      db: deps.store.db,
      clock: deps.clock,
      catalog: deps.config.catalog,
      publicUrl: deps.config.publicUrl,
      actions,
      signer,
      adminToken: () => deps.tokens.admin,
      hub: deps.internalHub ?? null,
      silences: silenceWrites,
    }),
  );
  app.route('/internal', internalReportRoutes(reportDeps));
  if (deps.statusPage) {
    const status = deps.statusPage;
    app.route(
      '/api/v1',
      maintenanceApiRoutes(deps, newId, (e) => status.announce(e)),
    );
    app.route('/', publicRoutes(status, deps.config.catalog.customers));
  }
  return app;
}
