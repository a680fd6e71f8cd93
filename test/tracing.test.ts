import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/logger.ts';
import type { StoreHandle } from '../src/store/db.ts';
import { setupTracing } from '../src/telemetry/tracing-setup.ts';
import { bearer, createTestApp, INGEST_TOKEN, ROOT } from './support/app.ts';
import { createTestStore } from './support/databases.ts';
import { alertmanagerBody, dbOutage } from './support/payloads.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';

// Order matters in this file: tracing.ts's module-level tracer binds to the global provider proxy that
// exists when it is first used, and trace.disable() replaces that proxy. So the webhook spans are checked
// first, under a provider registered once for the block; the setup test (which disables at the end) runs last.
describe('one webhook, traced', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let store: StoreHandle;

  beforeAll(async () => {
    // register(): AsyncLocalStorage context manager and the W3C trace-context (+ baggage) propagator.
    provider.register();
    store = await createTestStore('pglite');
  });
  afterAll(async () => {
    await store.close();
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  const spanNamed = (spans: ReadableSpan[], name: string) => {
    const found = spans.filter((s) => s.name === name);
    expect(found, `one span named ${name}`).toHaveLength(1);
    return found[0]!;
  };

  it('continues the caller trace; normalize, store, correlate and notify are children of the server span', async () => {
    exporter.reset();
    const { app } = await createTestApp(store);
    const res = await app.request('/webhooks/alertmanager', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01`,
        ...bearer(INGEST_TOKEN),
      },
      body: alertmanagerBody([dbOutage('acme', 'eu-west-1'), dbOutage('globex', 'eu-west-1')]),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const { incidents } = (await res.json()) as { incidents: string[] };
    expect(incidents).toHaveLength(1);

    const spans = exporter.getFinishedSpans();
    const server = spanNamed(spans, 'webhook alertmanager');
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.spanContext().traceId).toBe(TRACE_ID);
    expect(server.parentSpanContext?.spanId).toBe(CALLER_SPAN_ID);
    expect(server.parentSpanContext?.isRemote).toBe(true);
    expect(server.attributes).toMatchObject({
      'incidentd.source': 'alertmanager',
      'incidentd.alert_count': 2,
      'incidentd.incident_ids': incidents,
    });

    for (const name of ['normalize', 'store', 'correlate', 'notify']) {
      const child = spanNamed(spans, name);
      expect(child.spanContext().traceId, name).toBe(TRACE_ID);
      expect(child.parentSpanContext?.spanId, name).toBe(server.spanContext().spanId);
      expect(child.attributes['incidentd.source'], name).toBe('alertmanager');
      expect(child.endTime[0] + child.endTime[1] / 1e9).toBeGreaterThan(0);
    }
    expect(spanNamed(spans, 'normalize').attributes['incidentd.alert_count']).toBe(2);
    expect(spanNamed(spans, 'store').attributes['incidentd.alert_count']).toBe(2);
    expect(spanNamed(spans, 'correlate').attributes['incidentd.incident_ids']).toEqual(incidents);
    expect(spanNamed(spans, 'notify').attributes['incidentd.incident_ids']).toEqual(incidents);
    // The stages run in pipeline order.
    const start = (name: string) => spanNamed(spans, name).startTime;
    const order = ['normalize', 'store', 'correlate', 'notify'].map(start);
    expect([...order].sort((a, b) => a[0] - b[0] || a[1] - b[1])).toEqual(order);
  });

  it('a body that is not the source shape ends normalize with an error status and no store span', async () => {
    exporter.reset();
    const { app } = await createTestApp(store);
    const res = await app.request('/webhooks/alertmanager', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
      body: JSON.stringify({ version: '4', alerts: 'nope' }),
    });
    expect(res.status).toBe(400);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['normalize', 'webhook alertmanager']);
    expect(spanNamed(spans, 'normalize').status.code).toBe(2); // SpanStatusCode.ERROR
    // No traceparent: a new trace, rooted at the server span.
    expect(spanNamed(spans, 'webhook alertmanager').parentSpanContext).toBeUndefined();
  });
});

describe('tracing configuration (OTEL_* variables)', () => {
  const tracingOf = (env: Record<string, string>) => loadConfig(env, ROOT).tracing;

  it('is off without an OTLP endpoint, with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none', () => {
    expect(tracingOf({})).toBeNull();
    expect(tracingOf({ OTEL_SERVICE_NAME: 'x' })).toBeNull();
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(tracingOf({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toBeNull();
    expect(tracingOf({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBeNull();
  });

  it('appends /v1/traces to the base endpoint and uses the traces endpoint as is', () => {
    expect(tracingOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({
      serviceName: 'incidentd',
      tracesUrl: 'http://collector:4318/v1/traces',
    });
    expect(
      tracingOf({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://otlp.example/custom/traces',
        OTEL_SERVICE_NAME: 'incidentd-eu',
        OTEL_TRACES_EXPORTER: 'otlp',
      }),
    ).toEqual({ serviceName: 'incidentd-eu', tracesUrl: 'https://otlp.example/custom/traces' });
  });

  it('refuses what it cannot honour, naming the variable', () => {
    expect(() => tracingOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT: expected an http\(s\) URL/,
    );
    expect(() => tracingOf({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER/);
    expect(() =>
      tracingOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    ).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL: grpc is not supported/);
  });
});

describe('setupTracing', () => {
  it('exports spans over OTLP/HTTP with service.name on shutdown, and unregisters the SDK', async () => {
    const bodies: string[] = [];
    const collector = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        bodies.push(`${req.method} ${req.url} ${body}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = collector.address() as AddressInfo;
      const handle = setupTracing(
        { serviceName: 'incidentd-test', tracesUrl: `http://127.0.0.1:${port}/v1/traces` },
        silentLogger,
      );
      // A fresh tracer: the module one in tracing.ts is bound to the proxy the block above disabled.
      const parent = propagation.extract(context.active(), {
        traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01`,
      });
      trace.getTracer('test').startSpan('probe', {}, parent).end();
      await handle.shutdown();
      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toMatch(/^POST \/v1\/traces /);
      const payload = JSON.parse(bodies[0]!.replace(/^POST \S+ /, ''));
      const resourceSpans = payload.resourceSpans[0];
      expect(resourceSpans.resource.attributes).toContainEqual({
        key: 'service.name',
        value: { stringValue: 'incidentd-test' },
      });
      const span = resourceSpans.scopeSpans[0].spans[0];
      expect(span).toMatchObject({ name: 'probe', traceId: TRACE_ID, parentSpanId: CALLER_SPAN_ID });
      // Unregistered: the API is back to no-ops.
      expect(trace.getTracer('test').startSpan('after').isRecording()).toBe(false);
    } finally {
      collector.close();
    }
  });
});
