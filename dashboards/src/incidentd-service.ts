import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { finish, labelVariable, newDashboard, section, stat, timeseries } from './panels.ts';

const INSTANCE = 'instance=~"$instance"';
const ingestQuantile = (q: number) =>
  `histogram_quantile(${q}, sum by (le, source) (rate(incidentd_ingest_duration_seconds_bucket{${INSTANCE}}[$__rate_interval])))`;

/** incidentd service: ingest traffic, rejections and latency, rules, WebSocket clients, the process. */
export function incidentdService(): dashboard.Dashboard {
  const b = newDashboard({
    uid: 'incidentd-service',
    title: 'incidentd / Service',
    description:
      'Health of the incidentd processes: webhook ingest, rules, WebSocket clients, dead letters, memory and event loop.',
    from: 'now-6h',
  }).withVariable(labelVariable('instance', 'Instance', 'label_values(incidentd_rules_loaded, instance)'));

  section(b, 'Ingest', [
    timeseries({
      title: 'Alerts received per second',
      description: 'Alerts accepted from webhooks per second, by source and alert status.',
      unit: 'short',
      stack: true,
      min: 0,
      queries: [
        {
          expr: `sum by (source, status) (rate(incidentd_alerts_received_total{${INSTANCE}}[$__rate_interval]))`,
          legend: '{{source}} {{status}}',
        },
      ],
    }),
    timeseries({
      title: 'Webhooks rejected per second',
      description:
        'Webhook bodies rejected, by source and reason: invalid, too_large, unauthorized, unavailable.',
      unit: 'short',
      stack: true,
      min: 0,
      queries: [
        {
          expr: `sum by (source, reason) (rate(incidentd_alerts_rejected_total{${INSTANCE}}[$__rate_interval]))`,
          legend: '{{source}} {{reason}}',
        },
      ],
    }),
    timeseries({
      title: 'Ingest latency',
      description: 'Webhook handling time from body read to commit, p50 and p99 by source.',
      unit: 's',
      min: 0,
      queries: [
        { expr: ingestQuantile(0.5), legend: 'p50 {{source}}' },
        { expr: ingestQuantile(0.99), legend: 'p99 {{source}}' },
      ],
    }),
    timeseries({
      title: 'Dead letters',
      description:
        'Rejected webhook bodies kept for replay (GET /api/v1/dead-letters), per interval and source.',
      bars: true,
      stack: true,
      min: 0,
      queries: [
        {
          expr: `sum by (source) (increase(incidentd_dead_letters_total{${INSTANCE}}[$__interval]))`,
          legend: '{{source}}',
        },
      ],
    }),
    timeseries({
      title: 'Silenced and muted alerts',
      description:
        'Alerts held back at ingest per interval and source: by a silence (GET /api/v1/alerts?silenced=true) or by a maintenance (?muted=true).',
      bars: true,
      stack: true,
      min: 0,
      queries: [
        {
          expr: `sum by (source) (increase(incidentd_alerts_silenced_total{${INSTANCE}}[$__interval]))`,
          legend: 'silenced {{source}}',
        },
        {
          expr: `sum by (source) (increase(incidentd_alerts_muted_total{${INSTANCE}}[$__interval]))`,
          legend: 'muted {{source}}',
        },
      ],
    }),
  ]);

  section(b, 'Rules and live clients', [
    stat({
      title: 'Rules loaded',
      description: 'Correlation rules in the running rule set (lowest across the selected instances).',
      queries: [{ expr: `min(incidentd_rules_loaded{${INSTANCE}})`, instant: true }],
      redBelow: 1,
      w: 6,
    }),
    stat({
      title: 'Rule reload errors',
      description:
        'Rule reloads refused during the range because the new rule set was invalid; the last good set kept running.',
      queries: [
        { expr: `sum(increase(incidentd_rules_reload_errors_total{${INSTANCE}}[$__range]))`, instant: true },
      ],
      redFrom: 1,
      w: 6,
    }),
    stat({
      title: 'WebSocket clients',
      description: 'Connected WebSocket clients, all channels and instances.',
      queries: [{ expr: `sum(incidentd_websocket_clients{${INSTANCE}})`, instant: true }],
      w: 6,
    }),
    stat({
      title: 'Dead letters',
      description: 'Webhook bodies kept for replay during the range.',
      queries: [
        { expr: `sum(increase(incidentd_dead_letters_total{${INSTANCE}}[$__range]))`, instant: true },
      ],
      redFrom: 1,
      w: 6,
    }),
    timeseries({
      title: 'Rules loaded and reload errors',
      description: 'Rules in the running set per instance, and refused reloads per interval.',
      min: 0,
      queries: [
        { expr: `incidentd_rules_loaded{${INSTANCE}}`, legend: 'rules {{instance}}' },
        {
          expr: `sum(increase(incidentd_rules_reload_errors_total{${INSTANCE}}[$__interval]))`,
          legend: 'reload errors',
        },
      ],
    }),
    timeseries({
      title: 'WebSocket clients by channel',
      description: 'Connected WebSocket clients by channel (public, internal, customer views).',
      stack: true,
      min: 0,
      queries: [
        { expr: `sum by (channel) (incidentd_websocket_clients{${INSTANCE}})`, legend: '{{channel}}' },
      ],
    }),
  ]);

  section(b, 'Datadog', [
    timeseries({
      title: 'Datadog API requests per second',
      description:
        'Calls to the Datadog API (events out, monitor look-ups, reconciliation) by operation and outcome; anything but success is logged and shown in GET /api/v1/integrations/datadog.',
      unit: 'short',
      stack: true,
      min: 0,
      queries: [
        {
          expr: `sum by (operation, outcome) (rate(incidentd_datadog_requests_total{${INSTANCE}}[$__rate_interval]))`,
          legend: '{{operation}} {{outcome}}',
        },
      ],
    }),
    timeseries({
      title: 'Datadog monitor enrichment',
      description:
        'Datadog alerts naming a monitor, per interval, by what the look-up before ingest did: enriched, unchanged, unavailable (404 or error), timeout.',
      bars: true,
      stack: true,
      min: 0,
      queries: [
        {
          expr: `sum by (outcome) (increase(incidentd_datadog_enrichment_total{${INSTANCE}}[$__interval]))`,
          legend: '{{outcome}}',
        },
      ],
    }),
  ]);

  section(b, 'Process', [
    timeseries({
      title: 'Resident memory',
      description: 'Resident set size per instance, and the V8 heap in use.',
      unit: 'bytes',
      min: 0,
      queries: [
        { expr: `process_resident_memory_bytes{${INSTANCE}}`, legend: 'rss {{instance}}' },
        { expr: `nodejs_heap_size_used_bytes{${INSTANCE}}`, legend: 'heap used {{instance}}' },
      ],
    }),
    timeseries({
      title: 'Event loop lag',
      description:
        'Node.js event loop delay: last sample and p99. Sustained lag delays every webhook and page.',
      unit: 's',
      min: 0,
      queries: [
        { expr: `nodejs_eventloop_lag_seconds{${INSTANCE}}`, legend: 'lag {{instance}}' },
        { expr: `nodejs_eventloop_lag_p99_seconds{${INSTANCE}}`, legend: 'p99 {{instance}}' },
      ],
    }),
    timeseries({
      title: 'CPU',
      description: 'CPU time used per second of wall time (1 = one core busy).',
      unit: 'percentunit',
      min: 0,
      w: 24,
      queries: [
        {
          expr: `rate(process_cpu_seconds_total{${INSTANCE}}[$__rate_interval])`,
          legend: '{{instance}}',
        },
      ],
    }),
  ]);
  return finish(b);
}
