import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';

// Incident durations range from seconds to days.
const INCIDENT_BUCKETS = [
  30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 259_200, 604_800,
];
const INGEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Every metric of the contract, on an injected registry (tests make a fresh one). */
export function createMetrics(registry: Registry, opts: { defaultMetrics?: boolean } = {}) {
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    alertsReceived: new Counter({
      name: 'incidentd_alerts_received_total',
      help: 'Alerts accepted from webhooks, by source and alert status.',
      labelNames: ['source', 'status'] as const,
      registers,
    }),
    alertsRejected: new Counter({
      name: 'incidentd_alerts_rejected_total',
      help: 'Webhook bodies rejected, by source and reason (invalid, too_large, unauthorized, unavailable).',
      labelNames: ['source', 'reason'] as const,
      registers,
    }),
    incidentsOpened: new Counter({
      name: 'incidentd_incidents_opened_total',
      help: 'Incidents opened, by severity at opening and rule (manual for declared ones).',
      labelNames: ['severity', 'rule'] as const,
      registers,
    }),
    incidentsOpen: new Gauge({
      name: 'incidentd_incidents_open',
      help: 'Incidents not resolved (open or acknowledged), by severity.',
      labelNames: ['severity'] as const,
      registers,
    }),
    timeToDetect: new Histogram({
      name: 'incidentd_incident_time_to_detect_seconds',
      help: "From the first alert's start to the incident opening.",
      labelNames: ['severity'] as const,
      buckets: INCIDENT_BUCKETS,
      registers,
    }),
    timeToAcknowledge: new Histogram({
      name: 'incidentd_incident_time_to_acknowledge_seconds',
      help: 'From incident opened to acknowledged.',
      labelNames: ['severity'] as const,
      buckets: INCIDENT_BUCKETS,
      registers,
    }),
    timeToResolve: new Histogram({
      name: 'incidentd_incident_time_to_resolve_seconds',
      help: 'From incident opened to resolved.',
      labelNames: ['severity'] as const,
      buckets: INCIDENT_BUCKETS,
      registers,
    }),
    slaBreaches: new Counter({
      name: 'incidentd_sla_breaches_total',
      help: 'SLA targets breached, by customer (catalog ids; others fold into "other"), severity and target.',
      labelNames: ['customer', 'severity', 'target'] as const,
      registers,
    }),
    customersAffected: new Gauge({
      name: 'incidentd_customers_affected',
      help: 'Distinct customers on unresolved incidents.',
      registers,
    }),
    updatesOverdue: new Gauge({
      name: 'incidentd_updates_overdue',
      help: 'Unresolved published incidents whose committed next public update is overdue.',
      registers,
    }),
    ingestDuration: new Histogram({
      name: 'incidentd_ingest_duration_seconds',
      help: 'Webhook handling time, from body read to commit, by source.',
      labelNames: ['source'] as const,
      buckets: INGEST_BUCKETS,
      registers,
    }),
    rulesLoaded: new Gauge({
      name: 'incidentd_rules_loaded',
      help: 'Correlation rules in the running rule set.',
      registers,
    }),
    rulesReloadErrors: new Counter({
      name: 'incidentd_rules_reload_errors_total',
      help: 'Rule reloads refused because the new rule set was invalid.',
      registers,
    }),
    websocketClients: new Gauge({
      name: 'incidentd_websocket_clients',
      help: 'Connected WebSocket clients, by channel.',
      labelNames: ['channel'] as const,
      registers,
    }),
    deadLetters: new Counter({
      name: 'incidentd_dead_letters_total',
      help: 'Rejected webhook bodies kept for replay, by source.',
      labelNames: ['source'] as const,
      registers,
    }),
    alertsSilenced: new Counter({
      name: 'incidentd_alerts_silenced_total',
      help: 'Alerts held back by an active silence at ingest, by source; stays 0 until ingest applies silences (they are stored and listed, not applied yet).',
      labelNames: ['source'] as const,
      registers,
    }),
    alertsMuted: new Counter({
      name: 'incidentd_alerts_muted_total',
      help: 'Alerts muted by an active maintenance at ingest, by source; stays 0 until ingest applies maintenance muting.',
      labelNames: ['source'] as const,
      registers,
    }),
    datadogRequests: new Counter({
      name: 'incidentd_datadog_requests_total',
      help: 'Datadog API requests, by operation (create_event, list_events, get_monitor) and outcome (success, not_found, rate_limited, client_error, server_error, timeout, network_error).',
      labelNames: ['operation', 'outcome'] as const,
      registers,
    }),
    datadogEnrichment: new Counter({
      name: 'incidentd_datadog_enrichment_total',
      help: 'Datadog alerts naming a monitor, by what the monitor look-up added before ingest (enriched, unchanged, unavailable, timeout).',
      labelNames: ['outcome'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

const SEVERITY_LABELS = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
const SLA_TARGETS = ['acknowledge', 'owner', 'update', 'resolve'] as const;

/**
 * Creates the known label sets at zero. A series that first appears with the value 1 is invisible to
 * PromQL's increase() and rate(), so the first incident, breach or alert would otherwise never show on a
 * dashboard. Only bounded, known values: catalog customers, rule names, sources, severities.
 */
export function initMetricLabels(
  metrics: Metrics,
  known: { sources?: readonly string[]; rules?: readonly string[]; customers?: readonly string[] },
): void {
  for (const source of known.sources ?? []) {
    for (const status of ['firing', 'resolved']) metrics.alertsReceived.inc({ source, status }, 0);
    for (const reason of ['invalid', 'too_large', 'unauthorized', 'unavailable']) {
      metrics.alertsRejected.inc({ source, reason }, 0);
    }
    metrics.ingestDuration.zero({ source });
    metrics.alertsSilenced.inc({ source }, 0);
    metrics.alertsMuted.inc({ source }, 0);
  }
  for (const severity of SEVERITY_LABELS) {
    for (const rule of [...(known.rules ?? []), 'manual']) metrics.incidentsOpened.inc({ severity, rule }, 0);
    metrics.incidentsOpen.set({ severity }, 0);
    metrics.timeToDetect.zero({ severity });
    metrics.timeToAcknowledge.zero({ severity });
    metrics.timeToResolve.zero({ severity });
    for (const customer of [...(known.customers ?? []), 'other', 'none']) {
      for (const target of SLA_TARGETS) metrics.slaBreaches.inc({ customer, severity, target }, 0);
    }
  }
}
