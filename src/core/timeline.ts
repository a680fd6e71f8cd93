import type { ComponentStatus } from './component-status.ts';
import type { PublicStatus } from './incident.ts';
import type { Severity } from './severity.ts';
import type { SlaTarget } from './sla.ts';

/**
 * The timeline's vocabulary: every kind of incident event and the `data` stored with it (incident_events.data,
 * JSON), exactly as the producers write it today (core/correlate, core/incident-actions, core/sla,
 * core/rules/auto-resolve, jobs/outbox, jobs/datadog-reconcile). Instants are ISO 8601 strings, as stored.
 * Readers switch on `kind` and get the data typed; a new field is added here first.
 */
export interface EventDataByKind {
  /** By a rule (`rule`, `groupKey`, …) or declared by hand (`declared: true`). */
  opened: OpenedByRule | DeclaredByHand;
  /** The alert that opened or joined carries its fingerprint and name; the rest of an opening group only its id. */
  'alert.attached': { alertId: string; fingerprint?: string; alertname?: string };
  'alert.firing': { alertId: string; fingerprint: string };
  'alert.resolved': {
    alertId: string;
    fingerprint: string;
    /** Alerts of the incident still firing. */
    firing: number;
    /** Present when none fires any more: when the incident resolves itself (null: resolve by hand). */
    autoResolveAt?: string | null;
    /** Set by the Datadog reconcile job when the monitor was read as OK. */
    via?: 'datadog-reconcile';
    monitorId?: string;
    monitorState?: string;
  };
  'customer.added': { customer: string; reason: string };
  'severity.changed': { from: Severity; to: Severity; reason: string };
  /** Not written by today's producers; kept readable for older rows. */
  'component.status': { components?: string[]; status?: ComponentStatus; componentStatus?: ComponentStatus };
  acknowledged: Record<string, never>;
  'owner.assigned': { owner: string; previous: string | null };
  /** `next_update_due` is absent on automatic updates (auto-resolve, publish: auto). */
  'update.posted': { status: PublicStatus; message: string; next_update_due?: string | null };
  'note.added': { message: string };
  resolved: { reason: string; lastResolvedAlertAt?: string | null };
  /** By hand (`reason` is the responder's), or `reason: 'flap'` when an alert fired again within the window. */
  reopened: {
    reason: string;
    resolvedAt: string | null;
    alertId?: string;
    fingerprint?: string;
    flapCount?: number;
  };
  'sla.warning': SlaFiringData & { remaining: string };
  'sla.breached': SlaFiringData & { overdueBy: string };
  'sla.met': { target: SlaTarget; tier: string; dueAt: string; late: boolean; took: string };
  'notification.sent': NotificationData;
  'notification.failed': NotificationData & { error: string; retryAt: string | null; gaveUp: boolean };
  published: { reason: string };
}

export interface OpenedByRule {
  declared?: undefined;
  rule: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  title: string;
  severity: Severity;
  components: string[];
  componentStatus: ComponentStatus | null;
  alertCount: number;
  customers: string[];
  /** The first alert's own start: time to detect counts from here. */
  firstAlertAt: string;
  groupSince: string;
}

export interface DeclaredByHand {
  declared: true;
  title: string;
  severity: Severity;
  customers: string[];
  components: string[];
  componentStatus: ComponentStatus | null;
}

export interface SlaFiringData {
  target: SlaTarget;
  tier: string;
  severity: Severity;
  customers: string[];
  startedAt: string;
  dueAt: string;
}

export interface NotificationData {
  /** The notification target's name in the catalog. */
  target: string;
  /** The notice's event (incident.opened, severity.raised, …). */
  event: string;
  attempt: number;
}

export type IncidentEventKind = keyof EventDataByKind;

/** One kind with its data; `EventOf<'a' | 'b'>` is the union, narrowed by `switch (e.kind)`. */
export type EventOf<K extends IncidentEventKind = IncidentEventKind> = {
  [P in K]: { kind: P; data: EventDataByKind[P] };
}[K];

/** One timeline event as read from incident_events (oldest first by id). */
export type TimelineEntry<K extends IncidentEventKind = IncidentEventKind> = {
  id: number;
  at: Date;
  /** Who did it: a user name, `rule:<name>`, or `system`. */
  actor: string;
  visibility: 'public' | 'internal';
} & EventOf<K>;

/**
 * A written event (`IncidentEvent`, whose `data` is untyped on the write side) read with its kind's data type.
 * The producers write `EventDataByKind[kind]`; this is where a reader relies on it.
 */
export function typed<E extends { kind: IncidentEventKind; data: Record<string, unknown> }>(
  e: E,
): Omit<E, 'kind' | 'data'> & EventOf {
  return e as unknown as Omit<E, 'kind' | 'data'> & EventOf;
}

/** The first event of a kind, typed. */
export function firstOfKind<K extends IncidentEventKind, E extends EventOf>(
  events: readonly E[],
  kind: K,
): (E & EventOf<K>) | undefined {
  return events.find((e): e is E & EventOf<K> => e.kind === kind);
}

export type AlertEventKind = 'alert.attached' | 'alert.firing' | 'alert.resolved';

/** Alert membership events: the internal timeline folds bursts of them into one row. */
export const ALERT_KINDS: ReadonlySet<IncidentEventKind> = new Set<AlertEventKind>([
  'alert.attached',
  'alert.firing',
  'alert.resolved',
]);

export const isAlertEvent = <E extends EventOf>(e: E): e is E & EventOf<AlertEventKind> =>
  ALERT_KINDS.has(e.kind);

/** The time an opening rule saw its group's first alert start (declared incidents have none). */
export const firstAlertAt = (opened: EventOf<'opened'> | undefined): string | null =>
  opened && opened.data.declared !== true ? opened.data.firstAlertAt : null;
