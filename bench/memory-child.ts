/**
 * Child of bench/memory.ts, run as `node --expose-gc --import tsx bench/memory-child.ts pglite|postgres`:
 * one fresh process per database, so nothing else lives in its heap. Prints one JSON line with the memory
 * figures (after global.gc()) before any alert, after 1,000 incidents opened, and after 100,000 active alerts.
 */

import { resolve } from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { syncComponents } from '../src/store/components.ts';
import { createBenchService, INGEST_TOKEN } from './support/app.ts';
import { type BenchDatabase, openBenchStore } from './support/stores.ts';

/** pglite: a data directory on disk, as `npm start` runs; pglite-memory: DATA_DIR=memory://. */
export type MemoryKind = 'pglite' | 'pglite-memory' | 'postgres';

export const INCIDENTS = 1_000;
export const ALERTS = 100_000;
const OPENING_BODY = 100; // phase 1: 100 alerts per webhook, each in a new region: one new incident each
// Phase 2: alerts join the open incidents, 100 consecutive alerts per incident (as Alertmanager groups them),
// 1,000 alerts per webhook.
const JOINING_BODY = 1_000;

export interface MemoryPoint {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface MemoryResult {
  kind: MemoryKind;
  before: MemoryPoint;
  incidents: MemoryPoint;
  alerts: MemoryPoint;
  openIncidents: number;
  firingAlerts: number;
  ingestSeconds: number;
  /** Database size of alerts and incidents (tables, indexes, TOAST), bytes, after the run. */
  tableBytes: number;
}

async function measure(): Promise<MemoryPoint> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('memory-child: run node with --expose-gc');
  // Twice, with a turn of the event loop between: weak maps and finalizers settle after the first.
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

async function main(kind: MemoryKind): Promise<MemoryResult> {
  const db: BenchDatabase = kind === 'postgres' ? 'postgres' : 'pglite';
  const store = await openBenchStore(db, { pgliteOnDisk: kind === 'pglite' });
  if (!store) throw new Error(`memory-child: ${kind} unreachable`);
  try {
    const service = createBenchService(store);
    await syncComponents(store.db, loadConfig({}, resolve(import.meta.dirname, '..')).catalog, new Date());
    await service.snapshots.rebuild();
    let serial = 0;
    const post = async (regionOf: (n: number) => number, size: number) => {
      const startsAt = new Date().toISOString();
      const alerts = Array.from({ length: size }, () => {
        const n = serial++;
        return {
          status: 'firing',
          labels: {
            alertname: 'DatabaseDown',
            service: 'postgres',
            severity: 'critical',
            region: `mem-${regionOf(n)}`,
            customer: `customer-${n % 50}`,
            instance: `db-${n}`,
          },
          annotations: { summary: `Database db-${n} down` },
          startsAt,
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus:9090/graph?g0.expr=up%3D%3D0',
          fingerprint: n.toString(16).padStart(16, '0'),
        };
      });
      const res = await service.app.request('/webhooks/alertmanager', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_TOKEN}` },
        body: JSON.stringify({ version: '4', status: 'firing', receiver: 'incidentd', alerts }),
      });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    };
    const before = await measure();
    const started = performance.now();
    while (serial < INCIDENTS) await post((n) => n, OPENING_BODY);
    await service.snapshots.flush();
    const incidents = await measure();
    while (serial < ALERTS) await post((n) => Math.floor(n / 100) % INCIDENTS, JOINING_BODY);
    await service.snapshots.flush();
    const ingestSeconds = (performance.now() - started) / 1000;
    const alerts = await measure();
    const count = async (q: ReturnType<typeof sql<{ n: string }>>) =>
      Number((await q.execute(store.db)).rows[0]!.n);
    const firingAlerts = await count(sql`select count(*) as n from alerts where status = 'firing'`);
    const openIncidents = await count(sql`select count(*) as n from incidents where state <> 'resolved'`);
    const tableBytes = await count(
      sql`select (pg_total_relation_size('alerts') + pg_total_relation_size('incidents'))::text as n`,
    );
    service.snapshots.stop();
    service.rules.close();
    return { kind, before, incidents, alerts, openIncidents, firingAlerts, ingestSeconds, tableBytes };
  } finally {
    await store.close();
  }
}

const kind = process.argv[2] as MemoryKind;
if (kind === 'pglite' || kind === 'pglite-memory' || kind === 'postgres') {
  process.stdout.write(`${JSON.stringify(await main(kind))}\n`);
  process.exit(0);
}
