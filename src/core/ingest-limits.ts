/**
 * Bounds on what one webhook body may carry, so a single request costs time linear in its size and small enough
 * not to stall the process. Each limit has an environment variable (see docs/configuration.md), named in the
 * 400 a sender gets when it is exceeded.
 */
export interface IngestLimits {
  /** Entries of a body's `alerts` list (INCIDENTD_MAX_ALERTS_PER_BODY). */
  maxAlertsPerBody: number;
  /**
   * Labels of one alert, and annotations of one alert; also the entries of any other JSON object or list in a
   * body, e.g. Datadog `tags` (INCIDENTD_MAX_LABELS_PER_ALERT).
   */
  maxLabelsPerAlert: number;
  /** UTF-8 bytes of a label or annotation name (INCIDENTD_MAX_LABEL_NAME_BYTES). */
  maxLabelNameBytes: number;
  /** UTF-8 bytes of a label value (INCIDENTD_MAX_LABEL_VALUE_BYTES); annotation values are bounded by the body. */
  maxLabelValueBytes: number;
}

/**
 * Defaults: far above what real senders send, far below what stalls the process.
 * - 50,000 alerts: Alertmanager's webhook `max_alerts` defaults to 0 (a whole group in one body, however
 *   large), so refusing a big group would lose alerts; 50,000 minimal alerts still parse in well under a second.
 * - 1,000 labels per alert: Prometheus series carry tens of labels, Datadog hosts a few hundred tags.
 * - 1,024-byte names and 16 KiB values: Mimir's and Cortex's defaults (1,024 and 2,048) are what Prometheus
 *   users know; values get more room because Datadog joins repeated tag keys into one value.
 */
export const DEFAULT_INGEST_LIMITS: IngestLimits = Object.freeze({
  maxAlertsPerBody: 50_000,
  maxLabelsPerAlert: 1_000,
  maxLabelNameBytes: 1_024,
  maxLabelValueBytes: 16 * 1_024,
});

export const INGEST_LIMIT_VARIABLES: Record<keyof IngestLimits, string> = {
  maxAlertsPerBody: 'INCIDENTD_MAX_ALERTS_PER_BODY',
  maxLabelsPerAlert: 'INCIDENTD_MAX_LABELS_PER_ALERT',
  maxLabelNameBytes: 'INCIDENTD_MAX_LABEL_NAME_BYTES',
  maxLabelValueBytes: 'INCIDENTD_MAX_LABEL_VALUE_BYTES',
};

/** The message of a 400 for an exceeded limit: `alerts[0].labels: more than 1000 entries, the limit set by …`. */
export function overLimit(at: string, what: string, limits: IngestLimits, key: keyof IngestLimits): string {
  return `${at}: more than ${limits[key]} ${what}, the limit set by ${INGEST_LIMIT_VARIABLES[key]}`;
}
