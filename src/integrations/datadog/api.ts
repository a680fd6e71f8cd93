import type { DatadogEventRequest } from './event-payload.ts';
import type { MonitorFacts } from './monitor-labels.ts';

/** The Datadog operations incidentd uses; names are the metric's `operation` label. */
export type DatadogOperation = 'create_event' | 'list_events' | 'get_monitor';

/** How a call ended; the metric's `outcome` label. */
export type DatadogOutcome =
  | 'success'
  | 'not_found'
  | 'rate_limited'
  | 'client_error'
  | 'server_error'
  | 'timeout'
  | 'network_error';

export type DatadogResult<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      outcome: Exclude<DatadogOutcome, 'success'>;
      status: number | null;
      message: string;
      /** From a 429's rate-limit headers: wait this long before the next try. */
      retryAfterMs: number | null;
    };

/** Never throws: every failure (HTTP status, timeout, network) comes back as a value. */
export interface DatadogApi {
  createEvent(event: DatadogEventRequest): Promise<DatadogResult<{ id: number | null }>>;
  /** Events carrying all these tags, happened within [start, end] (POSIX seconds). */
  countEvents(tags: string[], startSec: number, endSec: number): Promise<DatadogResult<number>>;
  getMonitor(id: number): Promise<DatadogResult<MonitorFacts>>;
}
