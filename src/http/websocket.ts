import { upgradeWebSocket } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';
import type { WebSocket } from 'ws';
import type { SnapshotService } from '../publish/snapshot-service.ts';
import { CLOSE_TOO_SLOW, type HubClient, type WebSocketHub } from '../publish/websocket-hub.ts';

/**
 * GET /ws: upgrades through @hono/node-server (which runs `ws` underneath, see server.ts) and registers the
 * socket with the hub. The first message carries the current snapshot version, so a page rendered earlier
 * knows at once whether it is stale. Clients only listen: whatever they send is ignored.
 */
export function webSocketRoute(hub: WebSocketHub, snapshots: SnapshotService): MiddlewareHandler {
  return hubWebSocketRoute(hub, () => {
    const version = snapshots.current()?.version;
    return version ? { type: 'snapshot', version } : null;
  });
}

/** Any hub's WebSocket route (public /ws, internal /internal/ws): `greeting` is sent first when not null. */
export function hubWebSocketRoute(
  hub: WebSocketHub,
  greeting: () => unknown = () => null,
): MiddlewareHandler {
  return upgradeWebSocket(() => {
    let client: HubClient | null = null;
    return {
      onOpen(_event, ws) {
        const raw = ws.raw as WebSocket;
        client = {
          send: (text) => raw.send(text),
          bufferedAmount: () => raw.bufferedAmount,
          // A reader that stopped reading will not answer a closing handshake either.
          close: (code, reason) => (code === CLOSE_TOO_SLOW ? raw.terminate() : raw.close(code, reason)),
        };
        if (!hub.add(client)) return;
        const first = greeting();
        if (first !== null) raw.send(JSON.stringify(first));
      },
      onClose() {
        if (client) hub.remove(client);
      },
      onError() {
        if (client) hub.remove(client);
      },
    };
  });
}
