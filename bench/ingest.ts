/**
 * Ingest throughput: alerts per second of Alertmanager webhooks (1, 10 and 100 alerts each) posted one at
 * a time through the in-process Hono app (auth, parse, dedup upsert, correlation by the sample rules into
 * regional incidents, commit; no network),
 * into PGlite (memory://) and PostgreSQL. New fingerprints for every webhook, so these are inserts, plus
 * one row re-delivering already stored 100-alert webhooks (the dedup path).
 * Baseline, measured alternately in the same run on the same table: bare `insert … select from
 * jsonb_to_recordset` of the same rows, one statement per webhook's worth of rows, no HTTP, no dedup.
 * Webhook → WebSocket latency: a real listening server (PGlite and PostgreSQL) takes an open-loop stream of
 * 5 webhooks/s × 100 alerts (500 alerts/s) from a client process; every webhook opens a new incident of the
 * regional rule (publish: auto), so every one changes the public snapshot. A WebSocket client on /ws in the
 * same client process stamps the first `snapshot-changed` after each webhook's 200; latency = that minus the
 * POST's send time. It includes the commit, the snapshot service's 50 ms debounce, the rebuild and the send.
 * Tracing cost, last (PGlite): the same 100-alert webhooks with the OpenTelemetry SDK recording every span
 * (BatchSpanProcessor into an in-memory exporter) vs. no SDK at all, alternated in the same run.
 */
import { context, ProxyTracerProvider, propagation, type Tracer, trace } from '@opentelemetry/api';
// What NodeTracerProvider.register() installs (both are its own dependencies), toggled per slice below.
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Hono } from 'hono';
import { sql } from 'kysely';
import { newId } from '../src/ids.ts';
import type { StoreHandle } from '../src/store/db.ts';
import { createBenchApp, INGEST_TOKEN, startBenchServer } from './support/app.ts';
import { quantile, startLoadClient } from './support/load-client.ts';
import { formatTable, measurePair, type Op } from './support/measure.ts';
import { type BenchDatabase, openBenchStore } from './support/stores.ts';

const SIZES = [100, 10, 1];
const MEASURE_MS = 3_000; // measured time of each side (webhook, baseline) per table row
const WARMUP_MS = 1_500;
const LATENCY_MS = 15_000;
const LATENCY_WEBHOOKS_PER_S = 5;
const LATENCY_ALERTS = 100;

let serial = 0;
/** A fresh Alertmanager alert, as 0.25 sends it, with a fingerprint never used before in this run. */
function makeAlert(now: Date) {
  const n = serial++;
  const customer = `customer-${n % 50}`;
  return {
    status: 'firing',
    // Matches the sample rule regional-database-outage: 7 regional incidents gathering 50 customers.
    labels: {
      alertname: 'DatabaseDown',
      service: 'postgres',
      severity: 'critical',
      region: `region-${n % 7}`,
      customer,
    },
    annotations: { summary: `Database down for ${customer}` },
    startsAt: now.toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=up%3D%3D0',
    fingerprint: n.toString(16).padStart(16, '0'),
  };
}

function webhookBody(alerts: ReturnType<typeof makeAlert>[]): string {
  return `${JSON.stringify({
    receiver: 'incidentd',
    status: 'firing',
    alerts,
    groupLabels: { alertname: 'DatabaseDown' },
    commonLabels: { alertname: 'DatabaseDown', service: 'postgres' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: '{}:{alertname="DatabaseDown"}',
    truncatedAlerts: 0,
  })}\n`;
}

async function postWebhook(app: Hono, body: string): Promise<void> {
  const res = await app.request('/webhooks/alertmanager', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_TOKEN}` },
    body,
  });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
}

/** The rows ingest would insert for these alerts, written by one bare statement. */
async function insertBare(store: StoreHandle, alerts: ReturnType<typeof makeAlert>[]): Promise<void> {
  const now = new Date();
  const rows = alerts.map((a) => ({
    id: newId(),
    source: 'alertmanager',
    fingerprint: a.fingerprint,
    status: 'firing',
    labels: a.labels,
    annotations: a.annotations,
    title: a.annotations.summary,
    starts_at: a.startsAt,
    ends_at: null,
    generator_url: a.generatorURL,
    raw: a,
  }));
  await sql`
    insert into alerts (id, source, fingerprint, status, labels, annotations, title, starts_at, ends_at, generator_url,
                        raw, first_seen_at, last_seen_at, last_changed_at, seen_count)
    select v.id, v.source, v.fingerprint, v.status, v.labels, v.annotations, v.title, v.starts_at, v.ends_at,
           v.generator_url, v.raw, ${now}, ${now}, ${now}, 1
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id text, source text, fingerprint text, status text,
         labels jsonb, annotations jsonb, title text, starts_at timestamptz, ends_at timestamptz, generator_url text, raw jsonb)`.execute(
    store.db,
  );
}

const fresh = (size: number) => Array.from({ length: size }, () => makeAlert(new Date()));

async function benchDatabase(kind: BenchDatabase): Promise<string[][]> {
  const store = await openBenchStore(kind);
  if (!store) {
    console.log(`ingest: ${kind} unreachable, skipped`);
    return [[kind, 'skipped (unreachable)', '', '', '']];
  }
  try {
    const firstSerial = serial;
    const app = createBenchApp(store);
    const sent: string[] = [];
    const webhook =
      (size: number): Op =>
      () => {
        const body = webhookBody(fresh(size));
        if (size === 100 && sent.length < 200) sent.push(body);
        return { items: size, run: () => postWebhook(app, body) };
      };
    const bare =
      (size: number): Op =>
      () => {
        const alerts = fresh(size);
        return { items: size, run: () => insertBare(store, alerts) };
      };
    await measurePair(webhook(100), bare(100), { totalMs: WARMUP_MS, slices: 1 });
    sent.length = 0;

    const rows: string[][] = [];
    const row = (label: string, [rate, base]: [number, number]) =>
      rows.push([kind, label, rate.toFixed(0), base.toFixed(0), (rate / base).toFixed(2)]);
    for (const size of SIZES) {
      row(String(size), await measurePair(webhook(size), bare(size), { totalMs: MEASURE_MS }));
    }
    // Byte-identical re-delivery of stored webhooks, as Alertmanager retries: every alert is a repeat.
    let next = 0;
    const redeliver: Op = () => {
      const body = sent[next++ % sent.length]!;
      return { items: 100, run: () => postWebhook(app, body) };
    };
    row('100 (redelivery)', await measurePair(redeliver, bare(100), { totalMs: MEASURE_MS }));
    // Figures from a path that silently stored nothing would be meaningless: every alert must be a row.
    const { count } = await store.db
      .selectFrom('alerts')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    if (Number(count) !== serial - firstSerial) {
      throw new Error(`ingest: expected ${serial - firstSerial} alert rows, found ${count}`);
    }
    return rows;
  } finally {
    await store.close();
  }
}

/** Webhook POST → `snapshot-changed` on a /ws client, at a fixed 500 alerts/s; see the header. */
export async function wsLatency(kind: BenchDatabase): Promise<string[]> {
  const store = await openBenchStore(kind);
  if (!store) return [kind, 'skipped (unreachable)', '', '', '', '', '', '', ''];
  const bench = await startBenchServer(store);
  const client = startLoadClient();
  try {
    const stream = (ms: number, prefix: string) =>
      client.run({
        cmd: 'stream',
        url: `${bench.url}/webhooks/alertmanager`,
        headers: { authorization: `Bearer ${INGEST_TOKEN}` },
        perSecond: LATENCY_WEBHOOKS_PER_S,
        ms,
        body: { format: 'webhook', alerts: LATENCY_ALERTS, regions: 'per-body', prefix },
        ws: `${bench.url.replace('http', 'ws')}/ws`,
      });
    await stream(2_000, `${kind}-warm`);
    const r = await stream(LATENCY_MS, `${kind}-lat`);
    if (r.errors > 0) throw new Error(`ingest latency: ${r.errors} webhooks failed, first: ${r.firstError}`);
    const l = r.latencies!;
    const ms = (x: number) => x.toFixed(1);
    // What one rebuild costs now that the stream's incidents are on the page (median of 5, idle server).
    const rebuilds: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await bench.service.snapshots.rebuild();
      rebuilds.push(performance.now() - t0);
    }
    rebuilds.sort((a, b) => a - b);
    return [
      kind,
      (r.items / (r.ms / 1000)).toFixed(0),
      `${l.length}/${r.requests}`,
      ms(quantile(r.responseTimes!, 0.5)),
      ms(rebuilds[2]!),
      ms(quantile(l, 0.5)),
      ms(quantile(l, 0.99)),
      ms(l.at(-1)!),
      quantile(l, 0.99) < 100 ? 'yes' : 'no',
    ];
  } finally {
    client.stop();
    await bench.close();
    await store.close();
  }
}

/**
 * 100-alert webhooks into PGlite, traced vs. untraced, alternating slices. The app's tracer (tracing.ts)
 * keeps the first SDK tracer it is handed, so the SDK is registered once behind a switch that each side
 * flips in its untimed preparation; the untraced side also drops the context manager and propagator, as
 * a process without OTEL_* variables has none. Runs last, and leaves the switch off and the globals clean.
 */
async function tracingCost(): Promise<string[][]> {
  const store = await openBenchStore('pglite');
  if (!store) throw new Error('ingest: PGlite store did not open');
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  const sdk = provider.getTracer('incidentd');
  const noop = new ProxyTracerProvider().getTracer('incidentd');
  let on = false;
  const current = () => (on ? sdk : noop);
  const switched: Tracer = {
    startSpan: (name, options, ctx) => current().startSpan(name, options, ctx),
    startActiveSpan: ((...args: unknown[]) => {
      const t = current();
      return Reflect.apply(t.startActiveSpan, t, args);
    }) as Tracer['startActiveSpan'],
  };
  trace.setGlobalTracerProvider({ getTracer: () => switched });
  const propagator = new W3CTraceContextPropagator();
  const setTracing = (enabled: boolean) => {
    if (enabled === on) return;
    on = enabled;
    if (enabled) {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      propagation.setGlobalPropagator(propagator);
    } else {
      context.disable();
      propagation.disable();
    }
  };
  try {
    const firstSerial = serial;
    const app = createBenchApp(store);
    const webhook =
      (traced: boolean): Op =>
      () => {
        setTracing(traced);
        const body = webhookBody(fresh(100));
        return { items: 100, run: () => postWebhook(app, body) };
      };
    await measurePair(webhook(true), webhook(false), { totalMs: WARMUP_MS, slices: 1 });
    // Short alternating slices: a few percent of difference is the question, and load bursts are the noise.
    const [traced, untraced] = await measurePair(webhook(true), webhook(false), {
      totalMs: 2 * MEASURE_MS,
      slices: 12,
    });
    setTracing(false);
    await provider.forceFlush();
    // Spans per traced webhook: server span + normalize, store, correlate, notify.
    if (exporter.getFinishedSpans().length === 0) throw new Error('ingest: tracing on but no span recorded');
    const { count } = await store.db
      .selectFrom('alerts')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    if (Number(count) !== serial - firstSerial) {
      throw new Error(`ingest: expected ${serial - firstSerial} alert rows, found ${count}`);
    }
    return [['pglite', '100', traced.toFixed(0), untraced.toFixed(0), (traced / untraced).toFixed(2)]];
  } finally {
    setTracing(false);
    trace.disable();
    await provider.shutdown();
    await store.close();
  }
}

export async function run(): Promise<void> {
  const rows: string[][] = [];
  for (const kind of ['pglite', 'postgres'] as const) rows.push(...(await benchDatabase(kind)));
  const latencyRows: string[][] = [];
  for (const kind of ['pglite', 'postgres'] as const) latencyRows.push(await wsLatency(kind));
  const tracingRows = await tracingCost();
  console.log(
    `\ningest: Alertmanager webhooks through the app vs bare batched inserts (ratio = alerts/s ÷ baseline)\n`,
  );
  console.log(formatTable(['database', 'alerts/webhook', 'alerts/s', 'baseline alerts/s', 'ratio'], rows));
  console.log(
    `\ningest → WebSocket: ${LATENCY_WEBHOOKS_PER_S} webhooks/s × ${LATENCY_ALERTS} alerts (${LATENCY_WEBHOOKS_PER_S * LATENCY_ALERTS} alerts/s) for ${LATENCY_MS / 1000} s, each opening a published incident;`,
  );
  console.log(
    'latency = POST sent → first snapshot-changed on a /ws client after its 200; includes the snapshot debounce (leading edge: a change after a quiet spell rebuilds at once, a stream at most every 50 ms) (target p99 < 100 ms)\n',
  );
  console.log(
    formatTable(
      [
        'database',
        'alerts/s',
        'matched/webhooks',
        'POST→200 p50 ms',
        'rebuild ms',
        'p50 ms',
        'p99 ms',
        'max ms',
        'p99 < 100',
      ],
      latencyRows,
    ),
  );
  console.log(
    `\ningest with tracing: SDK recording every span (batched, in-memory exporter) vs. no SDK (ratio = traced ÷ untraced)\n`,
  );
  console.log(
    formatTable(['database', 'alerts/webhook', 'traced alerts/s', 'untraced alerts/s', 'ratio'], tracingRows),
  );
}
