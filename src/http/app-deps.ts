import type { SessionSigner } from '../auth/session.ts';
import type { Tokens } from '../auth/tokens.ts';
import type { Config } from '../config.ts';
import type { IntakeJournal } from '../durability/intake-journal.ts';
import type { DatadogIntegrationStatus } from '../integrations/datadog/integration.ts';
import type { IncidentActions } from '../pipeline/actions.ts';
import type { AlertRouter, IngestDeps } from '../pipeline/ingest.ts';
import type { Clock, IdGen, Logger } from '../pipeline/ports.ts';
import type { WebSocketHub } from '../publish/websocket-hub.ts';
import type { StoreHandle } from '../store/db.ts';
import type { SilenceCache } from '../store/silence-cache.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import type { StatusPageDeps } from './routes/public.ts';

/**
 * Everything the HTTP layer needs, built by main.ts (`assemble`) and passed in: app.ts constructs nothing.
 * Its own file so routes can take their slice (`Pick<AppDeps, …>`) without importing app.ts.
 */
export interface AppDeps {
  config: Config;
  store: StoreHandle;
  clock: Clock;
  newId: IdGen;
  log: Logger;
  metrics: Metrics;
  tokens: Tokens;
  /** draining: shutting down (SIGTERM), /readyz answers 503 whatever else holds. */
  readiness: { rulesLoaded(): boolean; draining(): boolean };
  /** The running rule set's router (null: no rules loaded, every alert stays unrouted). */
  router: () => AlertRouter | null;
  /** Recomputes store-derived gauges before a scrape. */
  refreshGauges: () => Promise<void>;
  /** Responders' incident actions, wired to the event bus. */
  actions: IncidentActions;
  /** The public status page (snapshot, WebSocket hub). */
  statusPage: StatusPageDeps;
  /** The internal pages' WebSocket hub (/internal/ws). */
  internalHub: WebSocketHub;
  /** Signs and checks the internal session cookies. */
  signer: SessionSigner;
  /** Webhook enrichment before ingest (Datadog monitor look-ups); null when the integration is off. */
  enrich: IngestDeps['enrich'] | null;
  /** Integration health for GET /api/v1/integrations/datadog. */
  datadogStatus: () => DatadogIntegrationStatus;
  /** The active-silence cache of this replica, shared by the silences API, the console form and ingest. */
  silences: SilenceCache;
  /** Intake journal (embedded PGlite on disk): webhook bodies are fdatasync'ed before processing; else null. */
  journal: IntakeJournal | null;
}
