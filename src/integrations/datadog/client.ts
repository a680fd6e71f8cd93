import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock, Logger } from '../../pipeline/ports.ts';
import type { DatadogApi, DatadogOperation, DatadogOutcome, DatadogResult } from './api.ts';
import type { MonitorFacts } from './monitor-labels.ts';
import { rateLimitDelayMs } from './rate-limit.ts';
import type { DatadogStatus } from './status.ts';

// Deep imports of the parts we use: the package index loads every v1 and v2 API and model (~3 s at start),
// these load in ~0.4 s, and only when the integration is on.
const COMMON = '@datadog/datadog-api-client/dist/packages/datadog-api-client-common/index.js';
const EVENTS = '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/EventsApi.js';
const MONITORS = '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/MonitorsApi.js';
const LOGGER = '@datadog/datadog-api-client/dist/logger.js';

type Common = typeof import('@datadog/datadog-api-client/dist/packages/datadog-api-client-common/index.js');
type EventsModule =
  typeof import('@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/EventsApi.js');
type MonitorsModule =
  typeof import('@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/MonitorsApi.js');

export interface DatadogClientSettings {
  apiKey: string;
  appKey: string | null;
  /** Base URL (https://api.datadoghq.eu, a proxy, a test stand-in). */
  apiUrl: string;
  /** Per request; a request still running then is aborted and counted as a timeout. */
  requestTimeoutMs: number;
}

export interface DatadogClientDeps {
  clock: Clock;
  log: Logger;
  status: DatadogStatus;
  countRequest: (operation: DatadogOperation, outcome: DatadogOutcome) => void;
}

/** Response headers of the current call: ApiException carries the status and body, not the headers. */
interface Capture {
  status: number | null;
  headers: Record<string, string>;
}

/**
 * The official client (@datadog/datadog-api-client) behind a small port that never throws. The client's own
 * retries stay off: the outbox owns retries (durable, with the rate-limit reset), look-ups must be fast.
 */
export function createDatadogClient(settings: DatadogClientSettings, deps: DatadogClientDeps): DatadogApi {
  const capture = new AsyncLocalStorage<Capture>();
  const fetchWithTimeout = async (url: string, init: RequestInit) => {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(settings.requestTimeoutMs) });
    const store = capture.getStore();
    if (store) {
      store.status = res.status;
      res.headers.forEach((value, name) => {
        store.headers[name] = value;
      });
    }
    return res;
  };
  const loaded = (async () => {
    const [common, events, monitors, logger] = (await Promise.all([
      import(COMMON),
      import(EVENTS),
      import(MONITORS),
      import(LOGGER),
    ])) as [Common, EventsModule, MonitorsModule, { logger: { setLevel(level: string): void } }];
    // Failures are logged here, once, with context; the library would also print them to the console.
    logger.logger.setLevel('silent');
    const configuration = common.createConfiguration({
      baseServer: new common.BaseServerConfiguration(settings.apiUrl, {}),
      authMethods: {
        apiKeyAuth: settings.apiKey,
        ...(settings.appKey ? { appKeyAuth: settings.appKey } : {}),
      },
      fetch: fetchWithTimeout,
      enableRetry: false,
    });
    return {
      ApiException: common.ApiException,
      events: new events.EventsApi(configuration),
      monitors: new monitors.MonitorsApi(configuration),
    };
  })();
  // Loading failures surface on the first call; keep an unobserved rejection from crashing the process.
  loaded.catch(() => {});

  async function call<T>(
    operation: DatadogOperation,
    fn: (lib: Awaited<typeof loaded>) => Promise<T>,
  ): Promise<DatadogResult<T>> {
    const seen: Capture = { status: null, headers: {} };
    try {
      const lib = await loaded;
      try {
        const value = await capture.run(seen, () => fn(lib));
        deps.countRequest(operation, 'success');
        deps.status.success(operation, deps.clock.now());
        return { ok: true, value };
      } catch (err) {
        return failed(operation, classify(err, lib.ApiException, seen, settings.requestTimeoutMs));
      }
    } catch (err) {
      return failed(operation, {
        outcome: 'network_error',
        status: null,
        message: `client unavailable: ${(err as Error).message}`,
        retryAfterMs: null,
      });
    }
  }

  function failed(operation: DatadogOperation, f: Failure): DatadogResult<never> {
    deps.countRequest(operation, f.outcome);
    deps.status.failure(operation, f.outcome, f.message, deps.clock.now());
    const fields = { operation, outcome: f.outcome, error: f.message };
    if (f.outcome === 'not_found') deps.log.debug('datadog: not found', fields);
    else deps.log.warn('datadog request failed', fields);
    return { ok: false, ...f };
  }

  return {
    createEvent: (event) =>
      call('create_event', async ({ events }) => {
        const res = await events.createEvent({ body: event });
        return { id: typeof res.event?.id === 'number' ? res.event.id : null };
      }),
    countEvents: (tags, startSec, endSec) =>
      call('list_events', async ({ events }) => {
        const res = await events.listEvents({
          start: startSec,
          end: endSec,
          tags: tags.join(','),
          unaggregated: true,
        });
        // A proxy that ignores the filter must not make us skip a delivery.
        return (res.events ?? []).filter((e) => tags.every((t) => e.tags?.includes(t))).length;
      }),
    getMonitor: (id) =>
      call('get_monitor', async ({ monitors }) => {
        const m = await monitors.getMonitor({ monitorId: id });
        return {
          id: m.id ?? id,
          name: m.name ?? null,
          tags: m.tags ?? [],
          priority: typeof m.priority === 'number' ? m.priority : null,
          overallState: typeof m.overallState === 'string' ? m.overallState : null,
        } satisfies MonitorFacts;
      }),
  };
}

type Failure = Extract<DatadogResult<unknown>, { ok: false }> extends infer F ? Omit<F, 'ok'> : never;

function classify(
  err: unknown,
  ApiException: new (...args: never[]) => { code: number; body: unknown },
  seen: Capture,
  timeoutMs: number,
): Failure {
  if (err instanceof ApiException) {
    const { code, body } = err as { code: number; body: unknown };
    const message = `HTTP ${code}${describeBody(body)}`;
    if (code === 429) {
      return { outcome: 'rate_limited', status: code, message, retryAfterMs: rateLimitDelayMs(seen.headers) };
    }
    const outcome: Failure['outcome'] =
      code === 404 ? 'not_found' : code >= 500 ? 'server_error' : 'client_error';
    return { outcome, status: code, message, retryAfterMs: null };
  }
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return {
      outcome: 'timeout',
      status: null,
      message: `timed out after ${timeoutMs} ms`,
      retryAfterMs: null,
    };
  }
  if (seen.status !== null) {
    // An answer came but could not be read as the documented shape.
    return {
      outcome: 'server_error',
      status: seen.status,
      message: `unreadable response (HTTP ${seen.status}): ${e?.message}`,
      retryAfterMs: null,
    };
  }
  return {
    outcome: 'network_error',
    status: null,
    message: e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err),
    retryAfterMs: null,
  };
}

/** `{"errors": ["Forbidden"]}` → `: Forbidden`; anything else shortened. */
function describeBody(body: unknown): string {
  // Statuses an operation does not document come wrapped: `Unknown API Status Code!\nBody: "<raw>"`.
  const wrapped =
    typeof body === 'string' ? /^Unknown API Status Code!\nBody: "([\s\S]*)"$/.exec(body) : null;
  if (wrapped) {
    try {
      return describeBody(JSON.parse(wrapped[1]!));
    } catch {
      return describeBody(wrapped[1]);
    }
  }
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (Array.isArray(errors) && errors.length) return `: ${errors.map(String).join('; ').slice(0, 200)}`;
  if (typeof body === 'string' && body) return `: ${body.slice(0, 200)}`;
  if (body && typeof body === 'object') return `: ${JSON.stringify(body).slice(0, 200)}`;
  return '';
}
