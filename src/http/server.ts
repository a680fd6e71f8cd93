import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { WebSocketServer } from 'ws';

export interface RunningServer {
  port: number;
  server: ServerType;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), then closes what is left. */
  close(graceMs?: number): Promise<void>;
}

/** `websocket`: accept WebSocket upgrades for routes using `upgradeWebSocket` from @hono/node-server (on `ws`). */
export function startServer(
  app: Hono,
  opts: { port: number; host: string; websocket?: boolean },
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    // Clients only listen: tiny inbound frames, no per-message compression (it costs memory per socket).
    const websocket = opts.websocket
      ? { server: new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 4096 }) }
      : undefined;
    const options = {
      fetch: app.fetch,
      port: opts.port,
      hostname: opts.host,
      ...(websocket ? { websocket } : {}),
    };
    const server = serve(options, (info: AddressInfo) => {
      resolve({
        port: info.port,
        server,
        close: (graceMs = 10_000) =>
          new Promise<void>((done) => {
            const force = setTimeout(() => {
              (server as { closeAllConnections?: () => void }).closeAllConnections?.();
            }, graceMs);
            force.unref();
            server.close(() => {
              clearTimeout(force);
              done();
            });
            (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
          }),
      });
    });
    server.once('error', reject);
  });
}
