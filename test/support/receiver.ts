import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  body: unknown;
  status: number;
}

/**
 * A real HTTP receiver on 127.0.0.1:0 for notification tests. `respond(path, n)` decides the status of the
 * n-th request (1-based) to a path; default 200.
 */
export async function startReceiver(respond: (path: string, n: number) => number = () => 200) {
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      const status = respond(path, n);
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({ path, body: text ? JSON.parse(text) : null, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver says no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    /** Requests to a path that got a 2xx. */
    delivered: (path: string) => received.filter((r) => r.path === path && r.status < 300),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
