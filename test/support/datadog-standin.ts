import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

export interface StandInRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: unknown;
  status: number;
}

export interface StandInReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Answer only after this long (timeouts). */
  delayMs?: number;
  /** For POST /api/v1/events: store the event even though the answer is an error (a lost response). */
  create?: boolean;
}

/** A monitor as GET /api/v1/monitor/:id documents it (subset). */
export interface StandInMonitor {
  id: number;
  name: string;
  type: string;
  query: string;
  message: string;
  tags: string[];
  priority: number | null;
  overall_state: string;
  options?: Record<string, unknown>;
}

export interface StandInEvent {
  id: number;
  id_str: string;
  title: string;
  text: string;
  date_happened: number;
  alert_type: string;
  priority: string;
  tags: string[];
  aggregation_key?: string;
  url: string;
}

/**
 * A local stand-in for the Datadog API on 127.0.0.1:0, reached by the real @datadog/datadog-api-client via
 * DD_API_URL. It checks the key headers (403 like Datadog), records every request and answers with the
 * documented shapes: POST /api/v1/events → 202 {status, event}; GET /api/v1/events → {events};
 * GET /api/v1/monitor/:id → the monitor, or 404 {errors}. `replyNext` scripts failures (500, 429 with
 * rate-limit headers, slow answers) for the next matching requests.
 */
export async function startDatadogStandIn(keys: { apiKey: string; appKey: string }) {
  const requests: StandInRequest[] = [];
  const events: StandInEvent[] = [];
  const monitors = new Map<number, StandInMonitor>();
  const scripted: { method: string; path: RegExp; reply: StandInReply }[] = [];
  let nextEventId = 7_000_000_000;

  const handle = async (req: IncomingMessage, raw: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const encoding = req.headers['content-encoding'];
    const text = (
      encoding === 'gzip' ? gunzipSync(raw) : encoding === 'deflate' ? inflateSync(raw) : raw
    ).toString('utf8');
    const body: unknown = text ? JSON.parse(text) : null;
    const record = (status: number) =>
      requests.push({
        method,
        path,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        status,
      });

    const createEvent = () => {
      const b = body as Record<string, unknown>;
      const id = nextEventId++;
      const event: StandInEvent = {
        id,
        id_str: String(id),
        title: String(b.title),
        text: String(b.text),
        date_happened: Number(b.date_happened ?? Math.floor(Date.now() / 1000)),
        alert_type: String(b.alert_type ?? 'info'),
        priority: String(b.priority ?? 'normal'),
        tags: (b.tags as string[]) ?? [],
        ...(b.aggregation_key ? { aggregation_key: String(b.aggregation_key) } : {}),
        url: `https://app.datadoghq.com/event/event?id=${id}`,
      };
      events.push(event);
      return event;
    };

    const i = scripted.findIndex((s) => s.method === method && s.path.test(path));
    if (i >= 0) {
      const { reply } = scripted.splice(i, 1)[0]!;
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (reply.create) createEvent();
      record(reply.status);
      return reply;
    }
    if (req.headers['dd-api-key'] !== keys.apiKey) {
      record(403);
      return { status: 403, body: { errors: ['Forbidden'] } };
    }
    if (method === 'POST' && path === '/api/v1/events') {
      const event = createEvent();
      record(202);
      return { status: 202, body: { status: 'ok', event } };
    }
    if (req.headers['dd-application-key'] !== keys.appKey) {
      record(403);
      return { status: 403, body: { errors: ['Forbidden'] } };
    }
    if (method === 'GET' && path === '/api/v1/events') {
      const start = Number(url.searchParams.get('start'));
      const end = Number(url.searchParams.get('end'));
      const tags = (url.searchParams.get('tags') ?? '').split(',').filter(Boolean);
      const found = events.filter(
        (e) => e.date_happened >= start && e.date_happened <= end && tags.every((t) => e.tags.includes(t)),
      );
      record(200);
      return { status: 200, body: { status: 'ok', events: found } };
    }
    const monitor = /^\/api\/v1\/monitor\/(\d+)$/.exec(path);
    if (method === 'GET' && monitor) {
      const m = monitors.get(Number(monitor[1]));
      record(m ? 200 : 404);
      return m ? { status: 200, body: m } : { status: 404, body: { errors: ['Monitor not found'] } };
    }
    record(404);
    return { status: 404, body: { errors: ['Not found'] } };
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks))
        .then((reply) => {
          if (res.destroyed) return;
          res
            .writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
            .end(reply.body === undefined ? '' : JSON.stringify(reply.body));
        })
        .catch((err: Error) => res.writeHead(500).end(String(err.message)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    events,
    setMonitor(m: Partial<StandInMonitor> & { id: number }) {
      monitors.set(m.id, {
        name: `monitor ${m.id}`,
        type: 'metric alert',
        query: 'avg(last_5m):avg:system.cpu.user{*} > 90',
        message: '@webhook-incidentd',
        tags: [],
        priority: null,
        overall_state: 'Alert',
        options: { notify_no_data: false },
        ...monitors.get(m.id),
        ...m,
      });
    },
    /** Forgets recorded requests and scripted replies (stored events and monitors stay). */
    reset() {
      requests.length = 0;
      scripted.length = 0;
    },
    replyNext(method: string, path: RegExp, reply: StandInReply) {
      scripted.push({ method, path, reply });
    },
    /** Requests to a path (exact) or matching a pattern. */
    to(method: string, path: string | RegExp) {
      return requests.filter(
        (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type DatadogStandIn = Awaited<ReturnType<typeof startDatadogStandIn>>;
