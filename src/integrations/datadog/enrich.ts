import type { NormalizedAlert } from '../../core/alert.ts';
import type { Logger } from '../../pipeline/ports.ts';
import type { MonitorCache } from './monitor-cache.ts';
import { type MonitorFacts, mergeMissingLabels, monitorLabels } from './monitor-labels.ts';

export type EnrichmentOutcome = 'enriched' | 'unchanged' | 'unavailable' | 'timeout';

const TIMED_OUT = Symbol('timeout');

/**
 * Before the ingest transaction: Datadog alerts naming a monitor get the monitor's tags and priority as
 * labels they lack, so tags set on the monitor (customer, service…) reach the correlation rules. Bounded by
 * `timeoutMs`; a slow or failing Datadog means ingest without enrichment, never a failed or stuck webhook.
 */
export function createMonitorEnricher(deps: {
  cache: Pick<MonitorCache, 'get'>;
  timeoutMs: number;
  log: Logger;
  count: (outcome: EnrichmentOutcome) => void;
}) {
  return async (source: string, alerts: NormalizedAlert[]): Promise<NormalizedAlert[]> => {
    if (source !== 'datadog') return alerts;
    const ids = [...new Set(alerts.map((a) => monitorIdOf(a)).filter((id) => id !== null))];
    if (ids.length === 0) return alerts;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), deps.timeoutMs);
      timer.unref();
    });
    let monitors: (MonitorFacts | null)[] | typeof TIMED_OUT;
    try {
      // A look-up still running at the timeout keeps going and fills the cache for the next webhook.
      monitors = await Promise.race([Promise.all(ids.map((id) => deps.cache.get(id))), timeout]);
    } catch (err) {
      deps.log.warn('datadog monitor look-up failed; ingesting without it', { error: err });
      monitors = ids.map(() => null);
    } finally {
      clearTimeout(timer);
    }
    if (monitors === TIMED_OUT) {
      deps.count('timeout');
      deps.log.warn('datadog monitor look-up timed out; ingesting without it', {
        monitors: ids.join(','),
        timeout_ms: deps.timeoutMs,
      });
      return alerts;
    }
    const byId = new Map(ids.map((id, i) => [id, (monitors as (MonitorFacts | null)[])[i] ?? null]));
    return alerts.map((alert) => {
      const id = monitorIdOf(alert);
      if (id === null) return alert;
      const monitor = byId.get(id);
      if (!monitor) {
        deps.count('unavailable');
        return alert;
      }
      const { labels, added } = mergeMissingLabels(alert.labels, monitorLabels(monitor));
      deps.count(added.length ? 'enriched' : 'unchanged');
      if (added.length === 0) return alert;
      // Say where the labels came from, for whoever reads the alert later.
      return { ...alert, labels, annotations: { ...alert.annotations, monitor_labels: added.join(',') } };
    });
  };
}

function monitorIdOf(alert: NormalizedAlert): number | null {
  const raw = alert.labels.monitor_id;
  if (!raw || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}
