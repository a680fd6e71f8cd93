import { context, DiagLogLevel, diag, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from '../config.ts';
import type { Logger } from '../pipeline/ports.ts';

export interface TracingHandle {
  /** Exports the spans still queued, then unregisters the SDK (the API goes back to no-ops). */
  shutdown(): Promise<void>;
}

/**
 * Registers the OpenTelemetry SDK globally: spans batched to an OTLP/HTTP collector, W3C trace context
 * (and baggage) propagation, AsyncLocalStorage context. Called only when config.tracing is set; otherwise
 * the `tracer` in tracing.ts stays the API's no-op and costs next to nothing.
 */
/** The OTLP exporter reports a failed export as the error serialized to JSON: keep its message. */
function readable(message: string): string {
  try {
    const parsed = JSON.parse(message) as { message?: unknown };
    return typeof parsed?.message === 'string' ? `export failed: ${parsed.message}` : message;
  } catch {
    return message;
  }
}

export function setupTracing(config: TracingConfig, log: Logger): TracingHandle {
  // Export failures surface in our log instead of vanishing in the SDK's silent default diag logger.
  const warn = (message: string, ...args: unknown[]) =>
    log.warn(
      `tracing: ${readable(message)}`,
      args.length ? { detail: args.map(String).join(' ') } : undefined,
    );
  diag.setLogger(
    {
      error: warn,
      warn,
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  );
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName })),
    // Headers, timeout and compression still come from the exporter's own OTEL_EXPORTER_OTLP_* variables.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesUrl }))],
  });
  // Default propagator of register(): W3C traceparent/tracestate plus W3C baggage.
  provider.register();
  log.info('tracing on', { service: config.serviceName, endpoint: config.tracesUrl });
  return {
    shutdown: async () => {
      try {
        await provider.shutdown();
      } catch (err) {
        log.warn('tracing: flush on shutdown failed', { error: err });
      } finally {
        trace.disable();
        propagation.disable();
        context.disable();
        diag.disable();
      }
    },
  };
}
