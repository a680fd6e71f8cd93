import { Agent, request } from 'node:http';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { startServer } from './server.ts';

/** One request on the given agent: status, Connection header, or the error code. */
function get(port: number, path: string, agent: Agent) {
  return new Promise<{ status: number; connection: string | undefined } | { error: string }>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
    });
    req.on('error', (err) => resolve({ error: (err as { code?: string }).code ?? err.message }));
    req.end();
  });
}

describe('draining the HTTP server', () => {
  it('answers the request in flight with Connection: close, closes idle kept-alive connections, refuses new ones', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let arrived!: () => void;
    const inFlight = new Promise<void>((r) => {
      arrived = r;
    });
    const app = new Hono();
    app.get('/fast', (c) => c.text('ok'));
    app.get('/slow', async (c) => {
      arrived();
      await held;
      return c.text('done');
    });
    const server = await startServer(app, { port: 0, host: '127.0.0.1' });
    const busy = new Agent({ keepAlive: true, maxSockets: 1 });
    const idle = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(server.port, '/fast', idle)).toEqual({ status: 200, connection: 'keep-alive' });
      const idleSocketClosed = new Promise<void>((r) => {
        const sockets = Object.values(idle.freeSockets).flat();
        expect(sockets).toHaveLength(1);
        sockets[0]!.once('close', () => r());
      });
      const slow = get(server.port, '/slow', busy);
      await inFlight;
      let closed = false;
      const closing = server.close(5_000, 0).then(() => {
        closed = true;
      });
      await idleSocketClosed;
      expect(await get(server.port, '/fast', new Agent())).toEqual({ error: 'ECONNREFUSED' });
      expect(closed).toBe(false);
      release();
      expect(await slow).toEqual({ status: 200, connection: 'close' });
      await closing;
      expect(closed).toBe(true);
    } finally {
      release();
      busy.destroy();
      idle.destroy();
    }
  });

  it('keeps accepting during the delay, every answer saying Connection: close', async () => {
    const app = new Hono();
    app.get('/fast', (c) => c.text('ok'));
    const server = await startServer(app, { port: 0, host: '127.0.0.1' });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(server.port, '/fast', agent)).toEqual({ status: 200, connection: 'keep-alive' });
      const closing = server.close(5_000, 300);
      // The kept-alive connection is not cut while the listener still accepts: its next request is answered.
      expect(await get(server.port, '/fast', agent)).toEqual({ status: 200, connection: 'close' });
      expect(await get(server.port, '/fast', new Agent())).toEqual({ status: 200, connection: 'close' });
      await closing;
      expect(await get(server.port, '/fast', new Agent())).toEqual({ error: 'ECONNREFUSED' });
    } finally {
      agent.destroy();
    }
  });

  it('cuts what is still busy after the drain timeout', async () => {
    const app = new Hono();
    app.get('/stuck', () => new Promise<Response>(() => {}));
    const server = await startServer(app, { port: 0, host: '127.0.0.1' });
    const agent = new Agent({ keepAlive: true });
    const stuck = get(server.port, '/stuck', agent);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await server.close(300, 0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await stuck).toMatchObject({ error: expect.stringMatching(/ECONNRESET|socket hang up/) });
    agent.destroy();
  });
});
