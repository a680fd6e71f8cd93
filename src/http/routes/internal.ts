import { Hono } from 'hono';
import type { WebSocketHub } from '../../publish/websocket-hub.ts';
import { hubWebSocketRoute } from '../websocket.ts';

/** /internal/ws: live updates for the console and timelines, mounted behind `internalAuth` (app.ts). */
export function internalSocketRoutes(hub: WebSocketHub): Hono {
  const app = new Hono();
  app.get(
    '/ws',
    hubWebSocketRoute(hub, () => ({ type: 'hello', channel: 'internal' })),
    (c) => c.text('this endpoint speaks WebSocket only', 426, { Upgrade: 'websocket' }),
  );
  return app;
}
