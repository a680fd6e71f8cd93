/** The one alert model every source is normalized into. Pure data: no I/O, no clock. */
export type AlertStatus = 'firing' | 'resolved';

export interface NormalizedAlert {
  /** Registry name of the sender: alertmanager | grafana | datadog. */
  source: string;
  /** Identity within the source; `(source, fingerprint)` is the dedup key. */
  fingerprint: string;
  status: AlertStatus;
  /** Identifying labels. Repeated keys (Datadog tags) are joined with ",". */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  title: string;
  startsAt: Date;
  /** null while firing (Alertmanager's zero time `0001-01-01T00:00:00Z` means unset). */
  endsAt: Date | null;
  generatorUrl: string | null;
  /**
   * Firing alerts the sender must re-send to keep firing (Prometheus through `POST /api/v2/alerts`): when it
   * expires unless refreshed; null: after the resolve timeout from when it was last seen. Absent: never expires.
   */
  expiresAt?: Date | null;
  /** The sender's own entry for this alert, kept for the timeline. */
  raw: unknown;
}

/** What a source makes of one webhook body. */
export type SourceParseResult =
  | { ok: true; alerts: NormalizedAlert[]; truncatedAlerts: number }
  | { ok: false; error: string };

/** What a follow-up event (PagerDuty acknowledge/resolve) inherits from the stored alert it refers to. */
export interface FollowedAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  title: string;
  startsAt: Date;
}
