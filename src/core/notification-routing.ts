import type { Incident, IncidentEvent } from './incident.ts';
import { isMoreSevere, type Severity } from './severity.ts';
import { typed } from './timeline.ts';

/** A target's `events` when the catalog does not list them: the alerting events (no notes, no updates). */
export const DEFAULT_EVENTS = [
  'incident.opened',
  'severity.raised',
  'sla.warning',
  'sla.breached',
  'incident.resolved',
  'update.overdue',
] as const;

export const NOTIFICATION_EVENTS = [
  ...DEFAULT_EVENTS,
  'incident.acknowledged',
  'incident.reopened',
  'incident.updated',
  'update.posted',
  'note.added',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** PagerDuty's default: what moves an alert there (trigger, acknowledge, resolve). */
export const PAGERDUTY_EVENTS: readonly NotificationEvent[] = [
  'incident.opened',
  'severity.raised',
  'incident.acknowledged',
  'incident.resolved',
  'incident.reopened',
];

/**
 * Notices about an incident a stateful target already shows (a PagerDuty alert, a Slack bot message). They are
 * routed there whatever min_severity says, so an incident lowered below it still gets acknowledged and resolved;
 * the outbox drops them when nothing was sent to the target for the incident before.
 */
export const FOLLOW_UP_EVENTS: ReadonlySet<NotificationEvent> = new Set([
  'incident.acknowledged',
  'incident.resolved',
  'incident.updated',
  'update.posted',
  'note.added',
]);

/** A catalog notification target (structurally the parsed catalog entry). */
export interface NotificationTarget {
  name: string;
  type: 'webhook' | 'slack' | 'teams' | 'datadog' | 'pagerduty';
  url?: string | undefined;
  /** Slack bot mode (with `channel`): one message per incident, updated in place. */
  token?: string | undefined;
  channel?: string | undefined;
  /** Slack bot: the Web API base URL (default https://slack.com/api/). */
  api_url?: string | undefined;
  /** Slack bot: what goes into the incident message's thread. */
  thread?: readonly ('updates' | 'notes' | 'events')[] | undefined;
  /** PagerDuty Events v2 integration key. */
  routing_key?: string | undefined;
  /** Teams body: Adaptive Card (default) or the retired connectors' MessageCard. */
  format?: 'adaptive' | 'messagecard' | undefined;
  events: readonly string[];
  min_severity: Severity;
  escalation: boolean;
}

/** Targets that keep one object per incident (a PagerDuty alert, a Slack bot message) and get follow-ups. */
export function isStateful(t: Pick<NotificationTarget, 'type' | 'token'>): boolean {
  return t.type === 'pagerduty' || (t.type === 'slack' && t.token !== undefined);
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
  'pagerduty',
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
  /** The text of a public update or an internal note; null for other events (absent in older rows). */
  message?: string | null;
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
    /** On the public status page, so its public link works (absent in rows queued by older versions). */
    published?: boolean;
    nextUpdateDue?: string | null;
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
    published: i.published,
    nextUpdateDue: i.nextUpdateDue?.toISOString() ?? null,
  };
}

type ChangeEvent = Pick<IncidentEvent, 'kind' | 'at' | 'data' | 'actor'>;
type TypedEvent = ReturnType<typeof typed<ChangeEvent>>;
type SlaEvent = TypedEvent & { kind: 'sla.warning' | 'sla.breached' };

/** What differs between notices; the rest (incident summary, time format) is filled in by `notice`. */
interface NoticeParts {
  event: NotificationEvent;
  at: Date;
  headline: string;
  details?: Record<string, unknown>;
  alsoKnownAs?: NotificationEvent[];
  escalation?: boolean;
  message?: string | null;
}

function notice(incident: Incident, p: NoticeParts): Notice {
  return {
    event: p.event,
    alsoKnownAs: p.alsoKnownAs ?? [],
    escalation: p.escalation ?? false,
    at: p.at.toISOString(),
    headline: p.headline,
    message: p.message ?? null,
    incident: incidentSummary(incident),
    details: p.details ?? {},
  };
}

/** A breached update clock is announced as an overdue update (still routed to sla.breached subscribers). */
function slaNotice(incident: Incident, e: SlaEvent): NoticeParts {
  const { at, data } = e;
  if (e.kind === 'sla.warning') {
    const headline = `SLA warning (${data.target}, due in ${e.data.remaining}): ${incident.title}`;
    return { event: e.kind, at, headline, details: { ...data } };
  }
  if (e.data.target === 'update') {
    const headline = `Public update overdue by ${e.data.overdueBy}: ${incident.title}`;
    return { event: 'update.overdue', at, headline, details: { ...data }, alsoKnownAs: ['sla.breached'] };
  }
  const headline = `SLA breached (${data.target}, overdue by ${e.data.overdueBy}): ${incident.title}`;
  return { event: e.kind, at, headline, details: { ...data } };
}

/** The notice of one event, if its kind has one (a raise only after creation: the opening says it). */
function eventNotice(incident: Incident, e: TypedEvent, created: boolean): NoticeParts | null {
  const { at, actor: by } = e;
  const title = incident.title;
  switch (e.kind) {
    case 'severity.changed': {
      const { from, to } = e.data;
      if (created || !isMoreSevere(to, from)) return null;
      const details = { from, to, reason: e.data.reason, by };
      const headline = `${from} -> ${to}: ${title}`;
      return { event: 'severity.raised', at, headline, details, escalation: to === 'SEV1' };
    }
    case 'resolved':
      return {
        event: 'incident.resolved',
        at,
        headline: `Resolved: ${title}`,
        details: { reason: e.data.reason, by },
      };
    case 'acknowledged':
      return {
        event: 'incident.acknowledged',
        at,
        headline: `Acknowledged by ${by}: ${title}`,
        details: { by },
      };
    case 'reopened': {
      const headline = `${incident.severity} reopened: ${title}`;
      return { event: 'incident.reopened', at, headline, details: { reason: e.data.reason, by } };
    }
    case 'update.posted': {
      const status = String(e.data.status ?? incident.status);
      const message = String(e.data.message ?? '');
      return {
        event: 'update.posted',
        at,
        headline: `Public update (${status}): ${title}`,
        details: { status, by },
        message,
      };
    }
    case 'note.added': {
      const message = String(e.data.message ?? '');
      return { event: 'note.added', at, headline: `Note by ${by}: ${title}`, details: { by }, message };
    }
    case 'sla.warning':
    case 'sla.breached':
      return slaNotice(incident, e);
    default:
      return null;
  }
}

/**
 * The notices one committed change of an incident gives rise to. An incident opened and raised in the same
 * change is announced once, at its final severity.
 */
export function noticesFor(change: {
  incident: Incident;
  created: boolean;
  events: readonly ChangeEvent[];
}): Notice[] {
  const { incident } = change;
  const parts: NoticeParts[] = [];
  const opened = change.events.find((e) => e.kind === 'opened');
  if (change.created && opened) {
    const headline = `${incident.severity} opened: ${incident.title}`;
    const escalation = incident.severity === 'SEV1';
    parts.push({
      event: 'incident.opened',
      at: opened.at,
      headline,
      details: { by: opened.actor },
      escalation,
    });
  }
  for (const e of change.events.map(typed)) {
    const p = eventNotice(incident, e, change.created);
    if (p) parts.push(p);
  }
  const updated = change.created ? [] : change.events.filter(isQuietChange).map((e) => UPDATE_LABEL[e.kind]!);
  const last = change.events.at(-1);
  if (updated.length && last) {
    const changes = [...new Set(updated)];
    const headline = `Updated (${changes.join(', ')}): ${incident.title}`;
    parts.push({ event: 'incident.updated', at: last.at, headline, details: { changes } });
  }
  return parts.map((p) => notice(incident, p));
}

/** Changes with no notice of their own that still change what an incident's message shows. */
const UPDATE_LABEL: Record<string, string> = {
  'owner.assigned': 'owner',
  'customer.added': 'customers',
  'severity.changed': 'severity lowered',
  'component.status': 'components',
  published: 'published',
};

function isQuietChange(e: Pick<IncidentEvent, 'kind' | 'data'>): boolean {
  if (!(e.kind in UPDATE_LABEL)) return false;
  if (e.kind !== 'severity.changed') return true;
  return !isMoreSevere(e.data.to as Severity, e.data.from as Severity);
}

/** The events a target gets when the catalog lists none. */
export function defaultEvents(t: Pick<NotificationTarget, 'type' | 'token'>): readonly NotificationEvent[] {
  if (t.type === 'pagerduty') return PAGERDUTY_EVENTS;
  if (isStateful(t)) return NOTIFICATION_EVENTS;
  return DEFAULT_EVENTS;
}

/** Which targets get a notice: severity at or above min_severity and a subscribed event, or escalation. */
export function routeNotice(targets: readonly NotificationTarget[], notice: Notice): NotificationTarget[] {
  return targets.filter((t) => {
    if (!DELIVERABLE_TYPES.has(t.type)) return false;
    if (notice.escalation && t.escalation) return true;
    if (![notice.event, ...notice.alsoKnownAs].some((k) => t.events.includes(k))) return false;
    return meetsMinSeverity(t, notice) || (FOLLOW_UP_EVENTS.has(notice.event) && isStateful(t));
  });
}

export function meetsMinSeverity(t: Pick<NotificationTarget, 'min_severity'>, notice: Notice): boolean {
  return !isMoreSevere(t.min_severity, notice.incident.severity);
}
