import { Hono } from 'hono';
import type { SessionSigner } from '../../auth/session.ts';
import type { TokenDigest } from '../../auth/tokens.ts';
import type { Catalog } from '../../catalog.ts';
import type { IncidentActions } from '../../pipeline/actions.ts';
import type { Clock } from '../../pipeline/ports.ts';
import type { WebSocketHub } from '../../publish/websocket-hub.ts';
import type { Db } from '../../store/db.ts';
import type { SilenceWriteDeps } from '../create-silence.ts';
import { hubWebSocketRoute } from '../websocket.ts';
import { consoleRoutes } from './internal-console.ts';
import { incidentPageRoutes } from './internal-incident.ts';
import { loginRoutes } from './internal-login.ts';
import { internalSilenceRoutes } from './internal-silence.ts';

export interface InternalDeps {
  db: Db;
  clock: Clock;
  catalog: Catalog;
  publicUrl: string;
  actions: IncidentActions;
  signer: SessionSigner;
  adminToken: () => TokenDigest;
  /** The internal WebSocket hub (main.ts feeds it from the event bus); none: /internal/ws answers 404. */
  hub: WebSocketHub | null;
  /** Creating silences from the console ("Silence" on an alert). */
  silences: SilenceWriteDeps;
}

/**
 * Everything under /internal, mounted behind `internalAuth` (app.ts): login/logout, the console, incident
 * timelines with their actions, and /internal/ws for live updates.
 */
export function internalRoutes(deps: InternalDeps): Hono {
  const app = new Hono();
  app.route(
    '/',
    loginRoutes({
      signer: deps.signer,
      adminToken: deps.adminToken,
      clock: deps.clock,
      publicUrl: deps.publicUrl,
      pageName: deps.catalog.status_page.title,
    }),
  );
  app.route('/', consoleRoutes(deps));
  app.route('/', incidentPageRoutes(deps));
  app.route('/', internalSilenceRoutes(deps.silences));
  if (deps.hub) {
    app.get(
      '/ws',
      hubWebSocketRoute(deps.hub, () => ({ type: 'hello', channel: 'internal' })),
      (c) => c.text('this endpoint speaks WebSocket only', 426, { Upgrade: 'websocket' }),
    );
  }
  return app;
}
