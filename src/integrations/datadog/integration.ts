import type { DatadogConfig } from '../../config.ts';
import type { NormalizedAlert } from '../../core/alert.ts';
import type { Clock, Logger } from '../../pipeline/ports.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import type { DatadogApi, DatadogOperation } from './api.ts';
import { createDatadogClient } from './client.ts';
import { createMonitorEnricher } from './enrich.ts';
import { createMonitorCache, type MonitorCacheOptions } from './monitor-cache.ts';
import { createDatadogStatus } from './status.ts';

/** Per request to Datadog; look-ups during ingest are cut shorter by the enrichment timeout. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface ReconcileRun {
  at: Date;
  alerts: number;
  monitors: number;
  failed: number;
  resolved: number;
}

/** What GET /api/v1/integrations/datadog shows. */
export interface DatadogIntegrationStatus {
  enabled: boolean;
  site: string | null;
  api_url: string | null;
  features: { events: boolean; monitor_lookup: boolean; reconcile: boolean };
  message: string | null;
  operations: Record<
    string,
    {
      last_success_at: string | null;
      last_error_at: string | null;
      last_error: string | null;
      last_outcome: string | null;
    }
  >;
  monitor_cache: { entries: number } | null;
  reconcile: {
    interval_seconds: number;
    stale_after_seconds: number;
    last_run: (Omit<ReconcileRun, 'at'> & { at: string }) | null;
  } | null;
}

const OFF_MESSAGE = 'DD_API_KEY is not set: Datadog events, monitor look-ups and reconciliation are off';
const NO_APP_KEY = 'DD_APP_KEY is not set: events are posted; monitor look-ups and reconciliation are off';

/**
 * The Datadog integration's own parts: the API client (with metrics and status), the monitor cache and the
 * ingest enrichment step. main.ts wires them into the outbox, the jobs and the webhook path.
 */
export function createDatadogIntegration(deps: {
  config: DatadogConfig | null;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  cache?: Partial<MonitorCacheOptions>;
}) {
  const { config } = deps;
  const status = createDatadogStatus();
  let lastRun: ReconcileRun | null = null;
  const api: DatadogApi | null = config
    ? createDatadogClient(
        {
          apiKey: config.apiKey,
          appKey: config.appKey,
          apiUrl: config.apiUrl,
          requestTimeoutMs: REQUEST_TIMEOUT_MS,
        },
        {
          clock: deps.clock,
          log: deps.log,
          status,
          countRequest: (operation: DatadogOperation, outcome) =>
            deps.metrics.datadogRequests.inc({ operation, outcome }),
        },
      )
    : null;
  const monitors = config?.appKey && api ? api : null;
  const cache = monitors ? createMonitorCache((id) => monitors.getMonitor(id), deps.clock, deps.cache) : null;
  const enrich = cache
    ? createMonitorEnricher({
        cache,
        timeoutMs: config!.lookupTimeoutMs,
        log: deps.log,
        count: (outcome) => deps.metrics.datadogEnrichment.inc({ outcome }),
      })
    : null;

  return {
    enabled: config !== null,
    /** Events out (needs the API key). */
    api,
    /** Monitor reads (need the application key as well). */
    monitors,
    enrich: enrich as ((source: string, alerts: NormalizedAlert[]) => Promise<NormalizedAlert[]>) | null,
    /** The one start-up line saying what is on. */
    announce(log: Logger) {
      if (!config) log.info(`datadog integration off: ${OFF_MESSAGE}`);
      else
        log.info('datadog integration on', {
          site: config.site,
          api_url: config.apiUrl,
          monitors: config.appKey ? 'on' : 'off (DD_APP_KEY not set)',
        });
    },
    recordReconcile(run: ReconcileRun) {
      lastRun = run;
    },
    status(): DatadogIntegrationStatus {
      const operations: DatadogIntegrationStatus['operations'] = {};
      for (const [op, s] of Object.entries(status.snapshot())) {
        operations[op] = {
          last_success_at: s.lastSuccessAt?.toISOString() ?? null,
          last_error_at: s.lastErrorAt?.toISOString() ?? null,
          last_error: s.lastError,
          last_outcome: s.lastOutcome,
        };
      }
      return {
        enabled: config !== null,
        site: config?.site ?? null,
        api_url: config?.apiUrl ?? null,
        features: {
          events: config !== null,
          monitor_lookup: monitors !== null,
          reconcile: monitors !== null,
        },
        message: !config ? OFF_MESSAGE : !config.appKey ? NO_APP_KEY : null,
        operations,
        monitor_cache: cache ? { entries: cache.size() } : null,
        reconcile:
          config && monitors
            ? {
                interval_seconds: config.reconcileIntervalMs / 1000,
                stale_after_seconds: config.reconcileStaleAfterMs / 1000,
                last_run: lastRun ? { ...lastRun, at: lastRun.at.toISOString() } : null,
              }
            : null,
      };
    },
  };
}
