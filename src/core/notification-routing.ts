import type { Incident, IncidentEvent } from './incident.ts';
import { isMoreSevere, type Severity } from './severity.ts';
import { typed } from './timeline.ts';

export const NOTIFICATION_EVENTS = [
  'incident.opened',
  'severity.raised',
  'sla.warning',
  'sla.breached',
  'incident.resolved',
  'update.overdue',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** A catalog notification target (structurally the parsed catalog entry). */
export interface NotificationTarget {
  name: string;
  type: 'webhook' | 'slack' | 'teams' | 'datadog';
  url?: string | undefined;
  events: readonly string[];
  min_severity: Severity;
  escalation: boolean;
}

/**
 * Target types this build can deliver to. Datadog needs DD_API_KEY as well: without it, main.ts leaves
 * datadog targets out of routing (see integrations/datadog/targets.ts).
 */
export const DELIVERABLE_TYPES: ReadonlySet<NotificationTarget['type']> = new Set([
  'webhook',
  'slack',
  'teams',
  'datadog',
]);

/** What one notice says, independent of the target's format. Stored as JSON in the outbox. */
export interface Notice {
  /** The event kind; a clock's update breach is both `update.overdue` and `sla.breached`. */
  event: NotificationEvent;
  /** Further kinds the same occurrence counts as (a target subscribed to any of them gets it, once). */
  alsoKnownAs: NotificationEvent[];
  /** SEV1 opened or raised: escalation targets get it whatever their events list says. */
  escalation: boolean;
  at: string;
  headline: string;
  incident: {
    id: string;
    title: string;
    severity: Severity;
    state: string;
    status: string;
    customers: string[];
    components: string[];
    owner: string | null;
    openedAt: string;
  };
  details: Record<string, unknown>;
}

function incidentSummary(i: Incident): Notice['incident'] {
  return {
    id: i.id,
    title: i.title,
    severity: i.severity,
    state: i.state,
    status: i.status,
    customers: [...i.customers],
    components: [...i.components],
    owner: i.owner,
    openedAt: i.openedAt.toISOString(),
  };
}

/**
 * The notices one committed change of an incident gives rise to. An incident opened and raised in the same
 * change is announced once, at its final severity.
 */
export function noticesFor(change: {
  incident: Incident;
  created: boolean;
  events: readonly Pick<IncidentEvent, 'kind' | 'at' | 'data' | 'actor'>[];
}): Notice[] {
  const { incident } = change;
  const out: Notice[] = [];
  const base = (
    event: NotificationEvent,
    at: Date,
    headline: string,
    details: Record<string, unknown> = {},
    alsoKnownAs: NotificationEvent[] = [],
    escalation = false,
  ): Notice => ({
    event,
    alsoKnownAs,
    escalation,
    at: at.toISOString(),
    headline,
    incident: incidentSummary(incident),
    details,
  });
  const opened = change.events.find((e) => e.kind === 'opened');
  if (change.created && opened) {
    out.push(
      base(
        'incident.opened',
        opened.at,
        `${incident.severity} opened: ${incident.title}`,
        { by: opened.actor },
        [],
        incident.severity === 'SEV1',
      ),
    );
  }
  for (const e of change.events.map(typed)) {
    if (e.kind === 'severity.changed' && !change.created) {
      const { from, to } = e.data;
      if (!isMoreSevere(to, from)) continue;
      out.push(
        base(
          'severity.raised',
          e.at,
          `${from} -> ${to}: ${incident.title}`,
          { from, to, reason: e.data.reason, by: e.actor },
          [],
          to === 'SEV1',
        ),
      );
    } else if (e.kind === 'resolved') {
      out.push(
        base('incident.resolved', e.at, `Resolved: ${incident.title}`, {
          reason: e.data.reason,
          by: e.actor,
        }),
      );
    } else if (e.kind === 'sla.warning' || e.kind === 'sla.breached') {
      const target = e.data.target;
      const overdueUpdate = e.kind === 'sla.breached' && target === 'update';
      const headline =
        e.kind === 'sla.warning'
          ? `SLA warning (${target}, due in ${e.data.remaining}): ${incident.title}`
          : overdueUpdate
            ? `Public update overdue by ${e.data.overdueBy}: ${incident.title}`
            : `SLA breached (${target}, overdue by ${e.data.overdueBy}): ${incident.title}`;
      out.push(
        overdueUpdate
          ? base('update.overdue', e.at, headline, { ...e.data }, ['sla.breached'])
          : base(e.kind, e.at, headline, { ...e.data }),
      );
    }
  }
  return out;
}

/** Which targets get a notice: severity at or above min_severity and a subscribed event, or escalation. */
export function routeNotice(targets: readonly NotificationTarget[], notice: Notice): NotificationTarget[] {
  return targets.filter((t) => {
    if (!DELIVERABLE_TYPES.has(t.type)) return false;
    if (notice.escalation && t.escalation) return true;
    if (isMoreSevere(t.min_severity, notice.incident.severity)) return false;
    return [notice.event, ...notice.alsoKnownAs].some((k) => t.events.includes(k));
  });
}
