import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { WebSocketServer } from 'ws';

export interface RunningServer {
  port: number;
  server: ServerType;
  /**
   * Graceful stop. Every answer from now on says `Connection: close` (those in flight too, unless their
   * headers are out), idle kept-alive connections are closed as they become idle; after `delayMs` the listener
   * closes; in-flight requests finish and are answered; connections still open after `graceMs` are cut.
   */
  close(graceMs?: number, delayMs?: number): Promise<void>;
}

/** `websocket`: accept WebSocket upgrades for routes using `upgradeWebSocket` from @hono/node-server (on `ws`). */
/** Default bounds on receiving a request: a client that trickles its headers or body cannot hold a socket. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
/** While draining, connections that turned idle are closed this often (and right after each answer). */
const IDLE_SWEEP_MS = 100;

type NodeServer = ServerType & { closeIdleConnections(): void; closeAllConnections(): void };

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
    let draining = false;
    /** The listener is closed: a connection that turns idle can only be a kept-alive one, close it. */
    let closing = false;
    const inFlight = new Set<ServerResponse>();
    const server = serve(options, (info: AddressInfo) => {
      resolve({ port: info.port, server, close: (graceMs, delayMs) => drain(graceMs, delayMs) });
    }) as NodeServer;
    const sweepIdle = () => setImmediate(() => server.closeIdleConnections());
    // Before the app's own listener: the header is set before the app writes its answer.
    server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
      if (draining) res.setHeader('Connection', 'close');
      inFlight.add(res);
      res.once('close', () => inFlight.delete(res));
      res.once('finish', () => {
        if (closing) sweepIdle();
      });
    });
    const drain = async (graceMs = DEFAULT_DRAIN_TIMEOUT_MS, delayMs = 0) => {
      draining = true;
      // A kept-alive client must not send another request on a connection we are about to close.
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      const force = setTimeout(() => server.closeAllConnections(), delayMs + graceMs);
      let sweeper: NodeJS.Timeout | undefined;
      try {
        // Still listening, idle connections kept (a fresh one is idle until its first request arrives):
        // load balancers see /readyz answer 503 and stop sending here; every answer says Connection: close.
        if (delayMs > 0) await sleep(delayMs);
        closing = true;
        const closed = new Promise<void>((done) => server.close(() => done()));
        server.closeIdleConnections();
        sweeper = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
        await closed;
      } finally {
        clearInterval(sweeper);
        clearTimeout(force);
      }
    };
    server.once('error', reject);
  });
}
