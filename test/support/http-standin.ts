import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A scripted answer for the next request to a path (a rate limit, an outage). */
export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * A loopback HTTP server for vendor stand-ins: reads the body, answers the next scripted reply for the path if
 * any, else calls `handle`. Every request is recorded with the status it got.
 */
export async function startHttpStandIn(
  handle: (req: IncomingMessage, raw: string, res: ServerResponse) => number,
) {
  const requests: { path: string; raw: string; status: number; headers: IncomingMessage['headers'] }[] = [];
  const scripted = new Map<string, ScriptedReply[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0]!;
      const next = scripted.get(path)?.shift();
      let status: number;
      if (next) {
        status = next.status;
        res.writeHead(status, { 'content-type': 'application/json', ...next.headers });
        res.end(JSON.stringify(next.body ?? {}));
      } else {
        status = handle(req, raw, res);
      }
      requests.push({ path, raw, status, headers: req.headers });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    requests,
    /** The next request to `path` gets this answer instead of the normal one. */
    replyNext: (path: string, reply: ScriptedReply) =>
      scripted.set(path, [...(scripted.get(path) ?? []), reply]),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return status;
}
