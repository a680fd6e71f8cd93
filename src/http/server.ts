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
/** Default bounds on receiving a request: a client that trickles its headers or body cannot hold a socket. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

export function startServer(
  app: Hono,
  opts: {
    port: number;
    host: string;
    websocket?: boolean;
    /** Time to receive a whole request (headers and body); the client gets 408 after it. */
    requestTimeoutMs?: number;
    /** Time to receive the headers. */
    headersTimeoutMs?: number;
  },
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    // Clients only listen: tiny inbound frames, no per-message compression (it costs memory per socket).
    const websocket = opts.websocket
      ? { server: new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 4096 }) }
      : undefined;
    const requestTimeout = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const options = {
      fetch: app.fetch,
      port: opts.port,
      hostname: opts.host,
      serverOptions: {
        requestTimeout,
        headersTimeout: Math.min(opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout),
        // Node checks those timeouts on this interval (30 s by default, which would double the bound).
        connectionsCheckingInterval: 1_000,
      },
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
