import type { ComponentStatus } from './component-status.ts';
import type { Severity } from './severity.ts';
import type { IncidentEventKind } from './timeline.ts';

export type IncidentState = 'open' | 'acknowledged' | 'resolved';
export const PUBLIC_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type PublicStatus = (typeof PUBLIC_STATUSES)[number];

/** The incident row: a projection of its timeline (incident_events). */
export interface Incident {
  id: string;
  title: string;
  severity: Severity;
  state: IncidentState;
  /** Public status, as customers see it. */
  status: PublicStatus;
  /** Rule that opened it; null when declared by hand. */
  rule: string | null;
  /** Values of the rule's group_by labels, joined; null when declared by hand. */
  groupKey: string | null;
  customers: string[];
  components: string[];
  componentStatus: ComponentStatus | null;
  owner: string | null;
  /** On the public status page (publish: auto, or after the first public update). */
  published: boolean;
  alertCount: number;
  firingCount: number;
  flapCount: number;
  openedAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  nextUpdateDue: Date | null;
  /** When the last firing alert resolved; auto-resolve is due at this + resolve_after. */
  lastResolvedAlertAt: Date | null;
  autoResolveAt: Date | null;
  lastAlertAt: Date | null;
}

/** A just-opened incident: open, investigating, no rule, owner, alerts or timestamps but openedAt; `over` sets the rest. */
export function newIncident(
  over: Pick<Incident, 'id' | 'title' | 'severity' | 'openedAt'> & Partial<Incident>,
): Incident {
  return {
    state: 'open',
    status: 'investigating',
    rule: null,
    groupKey: null,
    customers: [],
    components: [],
    componentStatus: null,
    owner: null,
    published: false,
    alertCount: 0,
    firingCount: 0,
    flapCount: 0,
    acknowledgedAt: null,
    resolvedAt: null,
    nextUpdateDue: null,
    lastResolvedAlertAt: null,
    autoResolveAt: null,
    lastAlertAt: null,
    ...over,
  };
}

export interface IncidentEvent {
  id?: number;
  incidentId: string;
  at: Date;
  kind: IncidentEventKind;
  /** Who did it: a user name, `rule:<name>`, or `system`. */
  actor: string;
  /** Public events are shown on the status page (public updates, resolution). */
  visibility: 'public' | 'internal';
  data: Record<string, unknown>;
}
