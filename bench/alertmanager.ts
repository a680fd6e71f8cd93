/**
 * Side by side with Prometheus Alertmanager (Debian `prometheus-alertmanager`) on the same machine: the same
 * alert stream (fresh label sets, 100 alerts per request, regions cycling so incidentd correlates them into
 * open regional incidents) posted from one client process with the same concurrency over loopback HTTP to
 * - Alertmanager's alert ingestion API, POST /api/v2/alerts (a JSON array of postable alerts), and
 * - incidentd's Alertmanager webhook, POST /webhooks/alertmanager (version 4 bodies, as Alertmanager sends),
 *   on PGlite (in a temporary data directory, as `npm start` runs it) and on PostgreSQL (both servers in this
 *   process, each idle while another target is measured).
 * Alerts/s accepted (2xx) by each, measured in alternating slices; ratio = incidentd ÷ Alertmanager.
 * Alertmanager runs with a null receiver, no clustering and a temporary storage path, stopped by PID.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type Spawned, startProcess, waitFor, which } from '../test/e2e/support/processes.ts';
import { type BenchServer, INGEST_TOKEN, startBenchServer } from './support/app.ts';
import { type BodySpec, type LoadClient, startLoadClient } from './support/load-client.ts';
import { formatTable } from './support/measure.ts';
import { type BenchDatabase, openBenchStore } from './support/stores.ts';

const BINARY = 'prometheus-alertmanager';
const CONCURRENCY = 4;
const ALERTS_PER_REQUEST = 100;
const SLICES = 3;
const SLICE_MS = 3_000;
const WARMUP_MS = 1_000;

const CONFIG = `route:
  receiver: 'null'
receivers:
  - name: 'null'
`;

async function startAlertmanager(): Promise<{ url: string; proc: Spawned; stop(): Promise<void> } | null> {
  const binary = which(BINARY);
  if (!binary) return null;
  const dir = await mkdtemp(join(tmpdir(), 'incidentd-bench-alertmanager-'));
  await writeFile(join(dir, 'alertmanager.yml'), CONFIG);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess('alertmanager', binary, [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  const stop = async () => {
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'Alertmanager to be ready',
      async () => {
        if (proc.exited()) throw new Error('Alertmanager exited');
        return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) })).ok ? true : undefined;
      },
      { timeoutMs: 30_000, detail: () => proc.output() },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, proc, stop };
}

interface Target {
  label: string;
  url: string;
  headers: Record<string, string>;
  format: BodySpec['format'];
}

export async function run(): Promise<void> {
  const am = await startAlertmanager();
  if (!am) {
    console.log(`alertmanager: ${BINARY} not on PATH (apt-get install prometheus-alertmanager), skipped`);
    return;
  }
  const servers: { kind: BenchDatabase; bench: BenchServer; close(): Promise<void> }[] = [];
  let client: LoadClient | null = null;
  try {
    for (const kind of ['pglite', 'postgres'] as const) {
      const store = await openBenchStore(kind, { pgliteOnDisk: true });
      if (!store) {
        console.log(`alertmanager: ${kind} unreachable, skipped`);
        continue;
      }
      const bench = await startBenchServer(store);
      servers.push({
        kind,
        bench,
        close: async () => {
          await bench.close();
          await store.close();
        },
      });
    }
    const auth = { authorization: `Bearer ${INGEST_TOKEN}` };
    const targets: Target[] = [
      {
        label: 'Alertmanager POST /api/v2/alerts',
        url: `${am.url}/api/v2/alerts`,
        headers: {},
        format: 'am-api',
      },
      ...servers.map(
        (s): Target => ({
          label: `incidentd webhook (${s.kind})`,
          url: `${s.bench.url}/webhooks/alertmanager`,
          headers: auth,
          format: 'webhook',
        }),
      ),
    ];
    client = startLoadClient();
    const totals = targets.map(() => ({ items: 0, ms: 0, requests: 0, errors: 0 }));
    let slice = 0;
    const measure = async (t: Target, ms: number) =>
      client!.run({
        cmd: 'post',
        url: t.url,
        headers: t.headers,
        ms,
        concurrency: CONCURRENCY,
        // A new prefix per slice: every alert is new to both receivers (no dedup shortcut).
        body: { format: t.format, alerts: ALERTS_PER_REQUEST, regions: 7, prefix: `am${slice++}` },
      });
    for (const t of targets) await measure(t, WARMUP_MS);
    const errors: string[] = [];
    for (let s = 0; s < SLICES; s++) {
      for (const [i, t] of targets.entries()) {
        const r = await measure(t, SLICE_MS);
        const x = totals[i]!;
        x.items += r.items;
        x.ms += r.ms;
        x.requests += r.requests;
        x.errors += r.errors;
        if (r.firstError) errors.push(`${t.label}: ${r.firstError}`);
      }
    }
    const rate = (i: number) => totals[i]!.items / (totals[i]!.ms / 1000);
    const rows = targets.map((t, i) => [
      t.label,
      rate(i).toFixed(0),
      (totals[i]!.requests / (totals[i]!.ms / 1000)).toFixed(1),
      String(totals[i]!.errors),
      (rate(i) / rate(0)).toFixed(2),
    ]);
    console.log(
      `\nalertmanager: alerts/s accepted, ${ALERTS_PER_REQUEST} alerts per request, ${CONCURRENCY} concurrent keep-alive requests from one client process,`,
    );
    console.log(
      `${SLICES}×${SLICE_MS} ms per row, alternating (ratio = ÷ Alertmanager; incidentd also correlates and commits each batch)\n`,
    );
    console.log(formatTable(['receiver', 'alerts/s', 'requests/s', 'errors', 'ratio'], rows));
    for (const e of errors) console.log(e);
  } finally {
    client?.stop();
    for (const s of servers) await s.close();
    await am.stop();
  }
}
