import { type Attributes, type Context, context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * Our tracer: a no-op until an SDK is registered (only when OTEL_* variables ask for one). Looked up on each
 * use, not cached, so a provider registered later (or re-registered, as tests do) is always the one used.
 */
export function tracer() {
  return trace.getTracer('incidentd');
}

/** Runs fn in a child span of the active one; records errors; ends the span either way. */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  parent?: Context,
): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, parent ?? context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
