/**
 * Correlation cost against the number of open incidents: the same webhook stream (10 alerts each: 5 opening
 * new regional incidents, 5 joining existing open ones) into a store holding 10 open incidents and into one
 * holding 100,000, measured alternately in the same run. The group lookup is an index probe on
 * (rule, group_key), so the ratio should stay near 1; a scan of open incidents would show as a ratio ≪ 1.
 */
import type { Hono } from 'hono';
import { sql } from 'kysely';
import type { StoreHandle } from '../src/store/db.ts';
import { createBenchApp, INGEST_TOKEN } from './support/app.ts';
import { formatTable, measurePair, type Op } from './support/measure.ts';
import { type BenchDatabase, openBenchStore } from './support/stores.ts';

const RULE = 'regional-database-outage';
const MEASURE_MS = 4_000;

/** Open incidents of the sample rule, one per region `seed-<i>`, written in one statement. */
async function seedOpenIncidents(store: StoreHandle, count: number): Promise<void> {
  await sql`
    insert into incidents (id, title, severity, state, status, rule, group_key, customers, components, component_status,
                           published, alert_count, firing_count, opened_at, updated_at, last_alert_at)
    select 'seed' || i, 'Database outage in seed-' || i, 'SEV2', 'open', 'investigating', ${RULE}, 'region=seed-' || i,
           '["acme"]', '["database"]', 'major_outage', true, 1, 1, now(), now(), now()
    from generate_series(1, ${count}) as i`.execute(store.db);
  await sql`analyze incidents`.execute(store.db);
}

let serial = 0;
function webhook(seeded: number): string {
  const alerts = Array.from({ length: 10 }, (_, k) => {
    const n = serial++;
    // Even slots open a new region's incident; odd ones join a random seeded incident.
    const region = k % 2 === 0 ? `new-${n}` : `seed-${1 + Math.floor(Math.random() * seeded)}`;
    return {
      status: 'firing',
      labels: {
        alertname: 'PostgresDown',
        service: 'postgres',
        severity: 'critical',
        region,
        customer: 'acme',
        instance: `i-${n}`,
      },
      annotations: { summary: 'Database down' },
      startsAt: new Date().toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: `c${n.toString(16).padStart(15, '0')}`,
    };
  });
  return JSON.stringify({
    version: '4',
    status: 'firing',
    receiver: 'r',
    groupKey: '{}:{}',
    alerts,
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: '',
  });
}

function op(app: Hono, seeded: number): Op {
  return () => {
    const body = webhook(seeded);
    return {
      items: 10,
      run: async () => {
        const res = await app.request('/webhooks/alertmanager', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_TOKEN}` },
          body,
        });
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
        // 5 new incidents plus at least one joined (random picks may repeat): else the figures measure nothing.
        const { incidents } = (await res.json()) as { incidents: string[] };
        if (incidents.length < 6)
          throw new Error(`expected 6 to 10 incidents touched, got ${incidents.length}`);
      },
    };
  };
}

async function benchDatabase(kind: BenchDatabase): Promise<string[]> {
  const small = await openBenchStore(kind);
  const large = await openBenchStore(kind);
  if (!small || !large) return [kind, 'skipped (unreachable)', '', ''];
  try {
    await seedOpenIncidents(small, 10);
    await seedOpenIncidents(large, 100_000);
    const a = op(createBenchApp(small), 10);
    const b = op(createBenchApp(large), 100_000);
    await measurePair(a, b, { totalMs: 1_000, slices: 1 });
    const [rate10, rate100k] = await measurePair(a, b, { totalMs: MEASURE_MS });
    const us = (rate: number) => (1e6 / rate).toFixed(0);
    return [kind, us(rate10), us(rate100k), (rate100k / rate10).toFixed(2)];
  } finally {
    await small.close();
    await large.close();
  }
}

export async function run(): Promise<void> {
  const rows: string[][] = [];
  for (const kind of ['pglite', 'postgres'] as const) rows.push(await benchDatabase(kind));
  console.log(
    '\ncorrelate: cost per alert (µs, end to end through the webhook) with 10 vs 100,000 open incidents',
  );
  console.log('(ratio = throughput at 100,000 ÷ throughput at 10; near 1 means the lookup does not grow)\n');
  console.log(formatTable(['database', 'µs/alert @10 open', 'µs/alert @100k open', 'ratio'], rows));
}
