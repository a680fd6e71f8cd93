import type { ColumnType, Generated } from 'kysely';
import type { IncidentEventKind } from '../core/timeline.ts';

/** Table types for Kysely. Only `store/` knows snake_case. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: Generated<Date>;
}

export interface AlertsTable {
  id: string;
  source: string;
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Json<Record<string, string>>;
  annotations: Json<Record<string, string>>;
  title: string;
  starts_at: Timestamp;
  ends_at: NullableTimestamp;
  generator_url: string | null;
  raw: Json<unknown>;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  last_changed_at: Timestamp;
  seen_count: number;
  rule: string | null;
  group_key: string | null;
  incident_id: string | null;
  unrouted_reason: string | null;
  /** Waits in the candidate group (rule, group_key): attached when it opens, released when it expires. */
  waiting: Generated<boolean>;
  /** The silence that held this alert back (Alertmanager-style), or null. */
  silenced_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** The maintenance that muted this alert, or null. */
  muted_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** Firing alerts that must be re-sent (Prometheus): expiry of the last send; null: resolve timeout after last seen. */
  expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface AlertEventsTable {
  id: Generated<number>;
  alert_id: string;
  at: Timestamp;
  status: 'firing' | 'resolved';
  previous_status: 'firing' | 'resolved' | null;
}

export interface IncidentsTable {
  id: string;
  title: string;
  severity: string;
  state: string;
  status: string;
  rule: string | null;
  group_key: string | null;
  customers: Json<string[]>;
  components: Json<string[]>;
  component_status: string | null;
  owner: string | null;
  published: boolean;
  alert_count: number;
  firing_count: number;
  flap_count: number;
  opened_at: Timestamp;
  acknowledged_at: NullableTimestamp;
  resolved_at: NullableTimestamp;
  next_update_due: NullableTimestamp;
  last_resolved_alert_at: NullableTimestamp;
  auto_resolve_at: NullableTimestamp;
  last_alert_at: NullableTimestamp;
  updated_at: Timestamp;
}

export interface IncidentEventsTable {
  id: Generated<number>;
  incident_id: string;
  at: Timestamp;
  kind: IncidentEventKind;
  actor: string;
  visibility: 'public' | 'internal';
  /** Per kind: `EventDataByKind` (core/timeline.ts). */
  data: Json<Record<string, unknown>>;
}

export interface IncidentAlertsTable {
  incident_id: string;
  alert_id: string;
  attached_at: Timestamp;
}

export interface CandidateGroupsTable {
  rule: string;
  group_key: string;
  first_at: Timestamp;
  expires_at: Timestamp;
  first_alert_starts_at: Timestamp;
  alert_ids: Json<string[]>;
  firing_alert_ids: Json<string[]>;
  customers: Json<string[]>;
  alert_count: number;
  firing_count: Generated<number>;
}

export interface ComponentsTable {
  id: string;
  name: string;
  group_name: string | null;
  description: string | null;
  position: number;
  status: string;
  updated_at: Timestamp;
}

export interface ComponentStatusIntervalsTable {
  id: Generated<number>;
  component_id: string;
  status: string;
  started_at: Timestamp;
  ended_at: NullableTimestamp;
  incident_id: string | null;
  maintenance_id: string | null;
}

export interface MaintenancesTable {
  id: string;
  title: string;
  message: string;
  components: Json<string[]>;
  scheduled_for: Timestamp;
  scheduled_until: Timestamp;
  status: string;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  recurrence: ColumnType<string | null, string | null | undefined, string | null>;
  duration_seconds: ColumnType<number | null, number | null | undefined, number | null>;
  cancelled_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  completed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface MaintenanceUpdatesTable {
  id: Generated<number>;
  maintenance_id: string;
  at: Timestamp;
  kind: string;
  status: string;
  message: string;
  actor: string;
}

export interface DeadLettersTable {
  id: Generated<number>;
  source: string;
  received_at: Timestamp;
  reason: string;
  status_code: number;
  content_type: string | null;
  headers: Json<Record<string, string>>;
  body: Uint8Array;
  /** The body's size before it was cut to the kept length; null: kept whole. */
  body_size: number | null;
  replayed_at: NullableTimestamp;
  replay_status: number | null;
  replay_result: string | null;
}

export interface SlaClocksTable {
  id: Generated<number>;
  incident_id: string;
  target: 'acknowledge' | 'owner' | 'update' | 'resolve';
  tier: string;
  started_at: Timestamp;
  due_at: Timestamp;
  warn_at: Timestamp;
  met_at: NullableTimestamp;
  breached_at: NullableTimestamp;
  warned_at: NullableTimestamp;
  cancelled_at: NullableTimestamp;
}

export interface NotificationOutboxTable {
  id: Generated<number>;
  incident_id: string | null;
  target: string;
  event: string;
  notice: Json<Record<string, unknown>>;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: Timestamp;
  last_attempt_at: NullableTimestamp;
  last_error: string | null;
  sent_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface SlackMessagesTable {
  target: string;
  incident_id: string;
  channel: string;
  ts: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SilencesTable {
  id: string;
  matchers: Json<{ name: string; value: string; isRegex: boolean; isEqual: boolean }[]>;
  starts_at: Timestamp;
  ends_at: Timestamp;
  created_by: string;
  comment: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Database {
  settings: SettingsTable;
  alerts: AlertsTable;
  alert_events: AlertEventsTable;
  incidents: IncidentsTable;
  incident_events: IncidentEventsTable;
  incident_alerts: IncidentAlertsTable;
  candidate_groups: CandidateGroupsTable;
  components: ComponentsTable;
  component_status_intervals: ComponentStatusIntervalsTable;
  maintenances: MaintenancesTable;
  maintenance_updates: MaintenanceUpdatesTable;
  dead_letters: DeadLettersTable;
  sla_clocks: SlaClocksTable;
  notification_outbox: NotificationOutboxTable;
  slack_messages: SlackMessagesTable;
  silences: SilencesTable;
}
