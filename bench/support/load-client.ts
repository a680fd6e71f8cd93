/**
 * The benches' HTTP/WebSocket client, run as a child process (`startLoadClient()`), so load generation never
 * shares an event loop with the server under test and every target is driven by the same code. Commands and
 * answers are JSON lines on stdin/stdout, matched by `id`.
 *
 * - `get`: closed loop, `concurrency` keep-alive connections requesting `url` for `ms`, through a minimal
 *   HTTP/1.1 client on raw sockets (node:http's client parses slower than the server under test answers, which
 *   would cap every route at the client's rate and squeeze the ratios towards 1).
 * - `post`: closed loop of alert bodies (Alertmanager webhook or Alertmanager's own /api/v2/alerts).
 * - `stream`: open loop, `perSecond` bodies at a fixed schedule for `ms`; with `ws`, a WebSocket client
 *   measures the latency from each POST to the first `snapshot-changed` message after its 200.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export interface BodySpec {
  /** `webhook`: Alertmanager webhook v4 body; `am-api`: Alertmanager's POST /api/v2/alerts array. */
  format: 'webhook' | 'am-api';
  alerts: number;
  /** Region label: cycles through this many (alerts join open incidents), or a new one per body (opens one). */
  regions: number | 'per-body';
  /** Makes fingerprints and instance labels unique across runs in one process. */
  prefix: string;
}

export type ClientCommand =
  | { cmd: 'get'; url: string; ms: number; concurrency: number; headers?: Record<string, string> }
  | {
      cmd: 'post';
      url: string;
      ms: number;
      concurrency: number;
      headers?: Record<string, string>;
      body: BodySpec;
    }
  | {
      cmd: 'stream';
      url: string;
      ms: number;
      perSecond: number;
      headers?: Record<string, string>;
      body: BodySpec;
      ws?: string;
    };

export interface LoadResult {
  requests: number;
  errors: number;
  bytes: number;
  items: number;
  ms: number;
  /** stream with ws: per-webhook latencies, ms, sorted ascending; messages seen. */
  latencies?: number[];
  messages?: number;
  /** stream: POST → 200 times, ms, sorted ascending. */
  responseTimes?: number[];
  firstError?: string;
}

const now = () => performance.timeOrigin + performance.now();

// ---------- child ----------

function bodyMaker(spec: BodySpec): () => string {
  let serial = 0;
  let body = 0;
  return () => {
    const region = spec.regions === 'per-body' ? `${spec.prefix}-r${body}` : `region-${body % spec.regions}`;
    body++;
    const startsAt = new Date().toISOString();
    const alerts = Array.from({ length: spec.alerts }, () => {
      const n = serial++;
      const customer = `customer-${n % 50}`;
      // Matches the sample rule regional-database-outage (publish: auto).
      const labels = {
        alertname: 'DatabaseDown',
        service: 'postgres',
        severity: 'critical',
        region,
        customer,
        instance: `${spec.prefix}-db-${n}`,
      };
      const annotations = { summary: `Database down for ${customer}` };
      const generatorURL = 'http://prometheus:9090/graph?g0.expr=up%3D%3D0';
      if (spec.format === 'am-api') return { labels, annotations, startsAt, generatorURL };
      return {
        status: 'firing',
        labels,
        annotations,
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL,
        fingerprint: `${spec.prefix}${n.toString(16).padStart(12, '0')}`,
      };
    });
    if (spec.format === 'am-api') return JSON.stringify(alerts);
    return JSON.stringify({
      receiver: 'incidentd',
      status: 'firing',
      alerts,
      groupLabels: { alertname: 'DatabaseDown' },
      commonLabels: { alertname: 'DatabaseDown', service: 'postgres', severity: 'critical' },
      commonAnnotations: {},
      externalURL: 'http://alertmanager:9093',
      version: '4',
      groupKey: '{}:{alertname="DatabaseDown"}',
      truncatedAlerts: 0,
    });
  };
}

function request(
  agent: http.Agent,
  url: string,
  headers: Record<string, string> | undefined,
  body: string | null,
): Promise<{ status: number; bytes: number; text: string }> {
  return new Promise((done) => {
    const req = http.request(
      url,
      {
        agent,
        method: body === null ? 'GET' : 'POST',
        headers: body === null ? headers : { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let bytes = 0;
        let text = '';
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (res.statusCode !== 200 && text.length < 300) text += chunk.toString();
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, bytes, text }));
      },
    );
    req.on('error', (err) => done({ status: 0, bytes: 0, text: err.message }));
    req.end(body ?? undefined);
  });
}

/** One keep-alive connection sending `GET` after `GET` until the deadline; responses need a Content-Length. */
function rawGetConnection(url: URL, request: Buffer, deadline: number, r: LoadResult): Promise<void> {
  return new Promise((done) => {
    const socket = net.connect(Number(url.port), url.hostname);
    socket.setNoDelay(true);
    let head: Buffer | null = null;
    let remaining = 0;
    let status = 0;
    const next = () => {
      r.requests++;
      if (status === 200) r.items++;
      else {
        r.errors++;
        r.firstError ??= `status ${status}`;
      }
      if (now() < deadline) socket.write(request);
      else socket.end();
    };
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      let at = 0;
      while (at < chunk.length) {
        if (remaining > 0) {
          const take = Math.min(remaining, chunk.length - at);
          remaining -= take;
          r.bytes += take;
          at += take;
          if (remaining === 0) next();
          continue;
        }
        head = head ? Buffer.concat([head, chunk.subarray(at)]) : chunk.subarray(at);
        at = chunk.length;
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) continue;
        const text = head.toString('latin1', 0, end);
        status = Number(text.slice(9, 12));
        const length = /\r\ncontent-length: *(\d+)/i.exec(text);
        if (!length) {
          r.errors++;
          r.firstError ??= 'response without content-length';
          socket.destroy();
          return;
        }
        remaining = Number(length[1]);
        // The rest of this buffer is body (or the next response): go round again over it.
        const rest = head.subarray(end + 4);
        head = null;
        if (remaining === 0) next();
        if (rest.length > 0) {
          chunk = rest;
          at = 0;
        }
      }
    });
    socket.on('error', (err) => {
      r.errors++;
      r.firstError ??= err.message;
      done();
    });
    socket.on('close', () => done());
  });
}

async function rawGet(cmd: Extract<ClientCommand, { cmd: 'get' }>): Promise<LoadResult> {
  const url = new URL(cmd.url);
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
  for (const [k, v] of Object.entries(cmd.headers ?? {})) lines.push(`${k}: ${v}`);
  const request = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  const r: LoadResult = { requests: 0, errors: 0, bytes: 0, items: 0, ms: 0 };
  const started = now();
  await Promise.all(
    Array.from({ length: cmd.concurrency }, () => rawGetConnection(url, request, started + cmd.ms, r)),
  );
  r.ms = now() - started;
  return r;
}

async function closedLoop(cmd: Extract<ClientCommand, { cmd: 'get' | 'post' }>): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: cmd.concurrency });
  const make = cmd.cmd === 'post' ? bodyMaker(cmd.body) : null;
  const items = cmd.cmd === 'post' ? cmd.body.alerts : 0;
  const r: LoadResult = { requests: 0, errors: 0, bytes: 0, items: 0, ms: 0 };
  const started = now();
  const deadline = started + cmd.ms;
  await Promise.all(
    Array.from({ length: cmd.concurrency }, async () => {
      while (now() < deadline) {
        const res = await request(agent, cmd.url, cmd.headers, make ? make() : null);
        r.requests++;
        r.bytes += res.bytes;
        if (res.status !== 200) {
          r.errors++;
          r.firstError ??= `${res.status} ${res.text}`;
        } else r.items += items;
      }
    }),
  );
  r.ms = now() - started;
  agent.destroy();
  return r;
}

async function openLoop(cmd: Extract<ClientCommand, { cmd: 'stream' }>): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const make = bodyMaker(cmd.body);
  const arrivals: number[] = [];
  let ws: WebSocket | null = null;
  if (cmd.ws) {
    const socket = new WebSocket(cmd.ws, { perMessageDeflate: false });
    socket.on('message', (data) => {
      const t = now();
      if ((JSON.parse(String(data)) as { type: string }).type === 'snapshot-changed') arrivals.push(t);
    });
    await new Promise((ok, fail) => {
      socket.once('open', ok);
      socket.once('error', fail);
    });
    ws = socket;
  }
  const r: LoadResult = { requests: 0, errors: 0, bytes: 0, items: 0, ms: 0 };
  const answered: number[] = [];
  const responseTimes: number[] = [];
  const inflight: Promise<void>[] = [];
  const interval = 1000 / cmd.perSecond;
  const started = now();
  for (let i = 0; started + i * interval < started + cmd.ms; i++) {
    const at = started + i * interval;
    const wait = at - now();
    if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
    const body = make();
    const sent = now();
    inflight.push(
      request(agent, cmd.url, cmd.headers, body).then((res) => {
        const t = now();
        r.requests++;
        if (res.status !== 200) {
          r.errors++;
          r.firstError ??= `${res.status} ${res.text}`;
          return;
        }
        r.items += cmd.body.alerts;
        responseTimes.push(t - sent);
        answered.push(sent, t);
      }),
    );
  }
  await Promise.all(inflight);
  r.ms = now() - started;
  r.responseTimes = responseTimes.sort((a, b) => a - b);
  if (ws) {
    // Let the last debounced rebuild reach the client.
    await new Promise((ok) => setTimeout(ok, 500));
    ws.terminate();
    const latencies: number[] = [];
    for (let k = 0; k < answered.length; k += 2) {
      const [sent, ok] = [answered[k]!, answered[k + 1]!];
      const first = arrivals.find((a) => a >= ok);
      if (first !== undefined) latencies.push(first - sent);
    }
    r.latencies = latencies.sort((a, b) => a - b);
    r.messages = arrivals.length;
  }
  agent.destroy();
  return r;
}

async function child(): Promise<void> {
  const out = (msg: unknown) => process.stdout.write(`${JSON.stringify(msg)}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    // Not awaited: a background stream runs while a `get` load is measured.
    const { id, ...cmd } = JSON.parse(line) as ClientCommand & { id: number };
    void (cmd.cmd === 'stream' ? openLoop(cmd) : cmd.cmd === 'get' ? rawGet(cmd) : closedLoop(cmd)).then(
      (result) => out({ id, ...result }),
    );
  }
}

// ---------- parent ----------

export interface LoadClient {
  run(cmd: ClientCommand): Promise<LoadResult>;
  stop(): void;
}

/** Starts the client child; commands sent before the previous answer run concurrently. */
export function startLoadClient(): LoadClient {
  const self = fileURLToPath(import.meta.url);
  const proc = spawn(process.execPath, ['--import', 'tsx', self, '--load-client'], {
    cwd: resolve(import.meta.dirname, '../..'),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let next = 0;
  const waiting = new Map<number, (r: LoadResult) => void>();
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line) as LoadResult & { id: number };
    waiting.get(msg.id)?.(msg);
    waiting.delete(msg.id);
  });
  return {
    run(cmd) {
      const id = next++;
      proc.stdin!.write(`${JSON.stringify({ id, ...cmd })}\n`);
      return new Promise((ok) => waiting.set(id, ok));
    },
    stop: () => proc.kill(),
  };
}

/** Value at quantile q (0..1) of an ascending list. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

if (process.argv.includes('--load-client')) await child();
