/**
 * Status page serving and live fan-out.
 *
 * HTTP: requests/s for `/` and `/api/v2/summary.json` of the production app (assembled like main.ts, on PGlite,
 * with a few published incidents and a maintenance on the page) against a bare Hono route answering "ok", all
 * behind real listening servers on loopback in this process, measured alternately in slices in the same run.
 * The load comes from one client process (bench/support/load-client.ts: keep-alive raw HTTP/1.1, fixed
 * concurrency, bounded duration) for every target alike, without Accept-Encoding (curl, API consumers) and with
 * a browser's (the br/gzip variants the service keeps per snapshot). Two conditions: idle, and during ingest
 * (the same client streams 5 webhooks/s × 100 alerts into published incidents, so snapshots are rebuilt).
 *
 * WebSocket: time for one message to reach every one of 1,000 and 10,000 clients (ws, in the child process),
 * from the hub's broadcast; baseline: a bare `ws` server sending the same text to the same number of clients.
 * Plus "change → all": from an admin API call (new maintenance) through the 50 ms debounce, the snapshot rebuild
 * and the broadcast, to the last client.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { Registry } from 'prom-client';
import WebSocket, { WebSocketServer } from 'ws';
import { digest } from '../src/auth/tokens.ts';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/http/server.ts';
import { silentLogger } from '../src/logger.ts';
import { assemble } from '../src/main.ts';
import { systemClock } from '../src/pipeline/ports.ts';
import { syncComponents } from '../src/store/components.ts';
import { createMetrics } from '../src/telemetry/metrics.ts';
import { quantile, startLoadClient } from './support/load-client.ts';
import { formatTable } from './support/measure.ts';
import { openBenchStore } from './support/stores.ts';

const SLICES = 3;
const SLICE_MS = 1_500;
const WARMUP_MS = 300;
const CONCURRENCY = 32;
const FAN_OUT = [1_000, 10_000];
const ADMIN = 'bench-admin-token';
const INGEST = 'bench-ingest-token';

const now = () => performance.timeOrigin + performance.now();

// ---------- child: load generator and WebSocket clients, driven by JSON lines on stdin ----------

async function child(): Promise<void> {
  const out = (msg: unknown) => process.stdout.write(`${JSON.stringify(msg)}\n`);
  let sockets: WebSocket[] = [];
  let expecting: { type: string; left: number; first: number; last: number } | null = null;
  const onMessage = (data: WebSocket.RawData) => {
    if (!expecting) return;
    const t = now();
    const msg = JSON.parse(String(data)) as { type: string };
    if (msg.type !== expecting.type) return;
    if (expecting.first === 0) expecting.first = t;
    expecting.last = t;
    if (--expecting.left === 0) {
      out({ event: 'received', first: expecting.first, last: expecting.last });
      expecting = null;
    }
  };
  for await (const line of createInterface({ input: process.stdin })) {
    const cmd = JSON.parse(line) as
      | { cmd: 'connect'; url: string; n: number }
      | { cmd: 'expect'; type: string }
      | { cmd: 'close' };
    if (cmd.cmd === 'connect') {
      const batch = 250;
      for (let i = 0; i < cmd.n; i += batch) {
        const opened = await Promise.all(
          Array.from(
            { length: Math.min(batch, cmd.n - i) },
            () =>
              new Promise<WebSocket>((ok, fail) => {
                const ws = new WebSocket(cmd.url, { perMessageDeflate: false });
                ws.on('message', onMessage);
                ws.once('open', () => ok(ws));
                ws.once('error', fail);
              }),
          ),
        );
        sockets.push(...opened);
      }
      out({ event: 'connected', n: sockets.length });
    } else if (cmd.cmd === 'expect') {
      expecting = { type: cmd.type, left: sockets.length, first: 0, last: 0 };
      out({ event: 'expecting' });
    } else if (cmd.cmd === 'close') {
      for (const ws of sockets) ws.terminate();
      sockets = [];
      out({ event: 'closed' });
    }
  }
}

// ---------- parent ----------

interface Child {
  send(cmd: unknown): void;
  next(event: string): Promise<Record<string, number>>;
  stop(): void;
}

/** The child runs under a raised descriptor limit (10,000 sockets) when the shell allows it. */
function startChild(): Child {
  const self = fileURLToPath(import.meta.url);
  const node = [process.execPath, '--import', 'tsx', self, '--status-page-child']
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  const proc = spawn('sh', ['-c', `ulimit -n 65536 2>/dev/null || true; exec ${node}`], {
    cwd: resolve(import.meta.dirname, '..'),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: { event: string; ok: (v: Record<string, number>) => void }[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line) as { event: string } & Record<string, number>;
    const i = waiting.findIndex((w) => w.event === msg.event);
    if (i >= 0) waiting.splice(i, 1)[0]!.ok(msg);
  });
  return {
    send: (cmd) => proc.stdin!.write(`${JSON.stringify(cmd)}\n`),
    next: (event) => new Promise((ok) => waiting.push({ event, ok })),
    stop: () => proc.kill(),
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return (server.address() as AddressInfo).port;
}

export async function run(): Promise<void> {
  const store = await openBenchStore('pglite');
  if (!store) throw new Error('status-page: cannot open PGlite');
  const config = {
    ...loadConfig({}, resolve(import.meta.dirname, '..')),
    dataDir: 'memory://',
    logLevel: 'error' as const,
  };
  await syncComponents(store.db, config.catalog, new Date());
  const service = assemble({
    config,
    store,
    clock: systemClock,
    log: silentLogger,
    metrics: createMetrics(new Registry()),
    tokens: { ingest: digest(INGEST), admin: digest(ADMIN) },
  });
  const { app, snapshots, hub } = service;
  const server = await startServer(app, { port: 0, host: '127.0.0.1', websocket: true });
  const bare = new Hono().get('/', (c) => c.text('ok'));
  const bareServer = await startServer(bare, { port: 0, host: '127.0.0.1' });
  const child = startChild();
  const loader = startLoadClient();
  let versions = 0;
  snapshots.onChange(() => {
    versions++;
  });
  try {
    // Some content: published incidents in a few regions, an upcoming maintenance.
    const regions = ['eu-west-1', 'us-east-1', 'ap-south-1'];
    const alerts = regions.map((region, i) => ({
      status: 'firing',
      labels: {
        alertname: 'PostgresDown',
        service: 'postgres',
        severity: 'critical',
        region,
        customer: 'acme',
      },
      annotations: { summary: `Postgres down in ${region}` },
      startsAt: new Date().toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: `bench${i}`,
    }));
    const res = await app.request('/webhooks/alertmanager', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST}` },
      body: JSON.stringify({ version: '4', status: 'firing', receiver: 'incidentd', alerts }),
    });
    if (res.status !== 200) throw new Error(`webhook: ${res.status} ${await res.text()}`);
    await postMaintenance(app, 3_600_000);
    await snapshots.flush();
    const base = `http://127.0.0.1:${server.port}`;
    // What a browser sends; the identity rows send no Accept-Encoding (curl, most API consumers).
    const browser = { 'Accept-Encoding': 'gzip, deflate, br, zstd' };
    const targets = [
      { label: 'bare Hono "ok" (baseline)', url: `http://127.0.0.1:${bareServer.port}/`, headers: {} },
      { label: 'GET /', url: `${base}/`, headers: {} },
      { label: 'GET / (browser Accept-Encoding)', url: `${base}/`, headers: browser },
      { label: 'GET /api/v2/summary.json', url: `${base}/api/v2/summary.json`, headers: {} },
      { label: 'GET /api/v2/summary.json (gzip, br)', url: `${base}/api/v2/summary.json`, headers: browser },
    ];
    const httpRows: string[][] = [];
    const notes: string[] = [];
    for (const condition of ['idle', 'during ingest'] as const) {
      const totals = targets.map(() => ({ requests: 0, ms: 0, errors: 0, bytes: 0 }));
      const rebuildsBefore = snapshots.rebuilds();
      const versionsBefore = versions;
      // During ingest: 5 webhooks/s of 100 alerts (500 alerts/s) into the regional rule's open incidents
      // (publish: auto, so every webhook asks for a snapshot rebuild), from the same client process.
      const streamMs = (targets.length * (SLICES * SLICE_MS + WARMUP_MS) + 2_000) | 0;
      const stream =
        condition === 'during ingest'
          ? loader.run({
              cmd: 'stream',
              url: `${base}/webhooks/alertmanager`,
              headers: { authorization: `Bearer ${INGEST}` },
              perSecond: 5,
              ms: streamMs,
              body: { format: 'webhook', alerts: 100, regions: 7, prefix: 'sp' },
            })
          : null;
      // Warm-up, then alternating slices so drift hits every target alike.
      for (const t of targets) {
        await loader.run({
          cmd: 'get',
          url: t.url,
          headers: t.headers,
          ms: WARMUP_MS,
          concurrency: CONCURRENCY,
        });
      }
      for (let s = 0; s < SLICES; s++) {
        for (const [i, t] of targets.entries()) {
          const r = await loader.run({
            cmd: 'get',
            url: t.url,
            headers: t.headers,
            ms: SLICE_MS,
            concurrency: CONCURRENCY,
          });
          const total = totals[i]!;
          total.requests += r.requests;
          total.ms += r.ms;
          total.errors += r.errors;
          total.bytes += r.bytes;
          if (r.firstError) notes.push(`${t.label}: ${r.firstError}`);
        }
      }
      const rebuilds = snapshots.rebuilds() - rebuildsBefore;
      const changed = versions - versionsBefore;
      if (stream) {
        const x = await stream;
        if (x.errors > 0) notes.push(`ingest stream: ${x.errors} errors, first: ${x.firstError}`);
        notes.push(
          `during ingest: ${(x.items / (x.ms / 1000)).toFixed(0)} alerts/s accepted, webhook p50 ${quantile(x.responseTimes!, 0.5).toFixed(0)} ms, ` +
            `p99 ${quantile(x.responseTimes!, 0.99).toFixed(0)} ms; ${rebuilds} snapshot rebuilds, ${changed} new versions`,
        );
      } else notes.push(`idle: ${rebuilds} snapshot rebuilds`);
      const baseRate = totals[0]!.requests / (totals[0]!.ms / 1000);
      targets.forEach((t, i) => {
        const x = totals[i]!;
        const rate = x.requests / (x.ms / 1000);
        httpRows.push([
          condition,
          t.label,
          rate.toFixed(0),
          (x.bytes / Math.max(1, x.requests)).toFixed(0),
          String(x.errors),
          (rate / baseRate).toFixed(2),
        ]);
      });
    }

    // WebSocket fan-out.
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    const bareWsServer = createServer();
    bareWsServer.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, () => {}));
    const bareWsPort = await listen(bareWsServer);
    const wsRows: string[][] = [];
    /** Runs `send` (which returns its start time) until every client has the message, twice; the second time. */
    const twice = async (send: () => Promise<number>): Promise<number> => {
      let ms = 0;
      for (let round = 0; round < 2; round++) {
        child.send({ cmd: 'expect', type: 'snapshot-changed' });
        await child.next('expecting');
        const t0 = await send();
        ms = (await child.next('received')).last! - t0;
      }
      return ms;
    };
    for (const n of FAN_OUT) {
      // incidentd hub
      child.send({ cmd: 'connect', url: `ws://127.0.0.1:${server.port}/ws`, n });
      await child.next('connected');
      await waitUntil(() => hub.size() === n);
      const version = snapshots.current()!.version;
      const message = {
        type: 'snapshot-changed',
        version,
        status: snapshots.current()!.status,
        components: [],
      };
      const text = JSON.stringify(message);
      // Second of two rounds: the first warms up the code paths of both sides.
      let sendLoopMs = 0;
      const hubMs = await twice(async () => {
        const t0 = now();
        hub.broadcast(message);
        sendLoopMs = now() - t0;
        return t0;
      });
      // End to end: an admin change → debounce → rebuild → broadcast → last client.
      child.send({ cmd: 'expect', type: 'snapshot-changed' });
      await child.next('expecting');
      const t0 = now();
      await postMaintenance(app, 7_200_000 + n);
      const e2e = await child.next('received');
      const e2eMs = e2e.last! - t0;
      child.send({ cmd: 'close' });
      await child.next('closed');
      await waitUntil(() => hub.size() === 0);

      // bare ws baseline: the same text to the same number of clients.
      child.send({ cmd: 'connect', url: `ws://127.0.0.1:${bareWsPort}/`, n });
      await child.next('connected');
      await waitUntil(() => wss.clients.size === n);
      const bareMs = await twice(async () => {
        const t0 = now();
        for (const ws of wss.clients) ws.send(text);
        return t0;
      });
      child.send({ cmd: 'close' });
      await child.next('closed');
      await waitUntil(() => wss.clients.size === 0);
      wsRows.push([
        n.toLocaleString('en-US'),
        hubMs.toFixed(1),
        sendLoopMs.toFixed(1),
        bareMs.toFixed(1),
        (bareMs / hubMs).toFixed(2),
        e2eMs.toFixed(1),
      ]);
    }
    bareWsServer.close();
    wss.close();

    console.log(
      `\nstatus-page: requests/s, ${CONCURRENCY} keep-alive connections from one client process (raw HTTP/1.1), ${SLICES}×${SLICE_MS} ms per row, alternating`,
    );
    console.log(
      '(ratio = requests/s ÷ bare Hono route in the same condition, same server process; served from the in-memory snapshot)\n',
    );
    console.log(
      formatTable(['condition', 'route', 'requests/s', 'bytes/response', 'errors', 'ratio'], httpRows),
    );
    for (const n of notes) console.log(n);
    console.log('\nstatus-page: WebSocket fan-out of one message (ms until the last client has it)');
    console.log(
      '(ratio = bare ws ÷ hub, 1 = as fast as bare ws; change→all includes the 50 ms debounce and a rebuild)\n',
    );
    console.log(
      formatTable(['clients', 'hub → all', 'send loop', 'bare ws → all', 'ratio', 'change → all'], wsRows),
    );
  } finally {
    child.stop();
    loader.stop();
    hub.closeAll();
    await server.close(1000);
    await bareServer.close(1000);
    snapshots.stop();
    await snapshots.flush();
    service.rules.close();
    await store.close();
  }
}

async function postMaintenance(app: Hono, startsInMs: number): Promise<void> {
  const at = Date.now() + startsInMs;
  const res = await app.request('/api/v1/maintenances', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify({
      title: 'Database maintenance',
      message: 'Planned minor version upgrade.',
      components: ['database'],
      scheduled_for: new Date(at).toISOString(),
      scheduled_until: new Date(at + 3_600_000).toISOString(),
    }),
  });
  if (res.status !== 201) throw new Error(`maintenance: ${res.status} ${await res.text()}`);
}

async function waitUntil(cond: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('status-page bench: timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

if (process.argv.includes('--status-page-child')) await child();
else if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await run();
