// Over 300 lines: the correlation decisions (join, open, wait, reopen, flap) as one pure unit, kept whole so the order of cases reads top-down.
import type { CandidateGroup } from './candidate.ts';
import { isCandidateExpired, joinCandidate, resolveInCandidate } from './candidate.ts';
import type { Incident, IncidentEvent } from './incident.ts';
import { openWhenHolds, ruleSeverity } from './rules/group-eval.ts';
import { renderTemplate } from './rules/template.ts';
import type { Rule } from './rules/types.ts';
import { isMoreSevere } from './severity.ts';

/**
 * What dedup decided for the alert: first sight, resolved→firing, firing→resolved, same state again, or an
 * older state delivered late (`stale`, ignored). Same values as dedup's AlertChange, declared here so the
 * correlator does not depend on dedup.
 */
export type CorrelateChange = 'new' | 'refiring' | 'resolved' | 'repeat' | 'stale';

export type IncidentEventDraft = Omit<IncidentEvent, 'incidentId' | 'id'>;

export interface CorrelateAlert {
  id: string;
  fingerprint: string;
  status: 'firing' | 'resolved';
  startsAt: Date;
  labels: Record<string, string>;
}

export interface CorrelateInput {
  now: Date;
  rule: Rule;
  groupKey: string;
  groupLabels: Record<string, string>;
  customer: string | null;
  alert: CorrelateAlert;
  change: CorrelateChange;
  /** The open incident of (rule, groupKey), else its most recently resolved one (for flap reopen), else null. */
  incident: Incident | null;
  /** The alert is already attached to `incident`. */
  attached: boolean;
  /** The pending group of (rule, groupKey). An expired one is ignored: expire candidates before calling. */
  candidate: CandidateGroup | null;
  /**
   * The alert already waits in `candidate` (the store marks waiting alerts). When absent, membership of the
   * candidate's sample is used, which is exact only while the group has fewer alerts than the sample holds.
   */
  waiting?: boolean;
  newId: () => string;
}

export type CorrelateOutcome =
  | { kind: 'none' }
  /** Store (upsert by rule and group key) this candidate; it replaces any previous one. */
  | { kind: 'candidate'; candidate: CandidateGroup }
  | {
      kind: 'incident';
      /** Complete new state of the incident. */
      incident: Incident;
      created: boolean;
      /**
       * Alert ids to link to the incident. When a candidate opens: its sample; if it held more alerts
       * (`incident.alertCount > attach.length`), the caller attaches the rest of its waiting alerts.
       */
      attach: string[];
      events: IncidentEventDraft[];
      /** The stored candidate of the group is now part of the incident: delete it. */
      candidateConsumed: boolean;
    };

const NONE: CorrelateOutcome = { kind: 'none' };

/**
 * Decides what one alert does to its group: join the open incident, reopen a flapping one, wait in a
 * candidate until open_when holds, or open a new incident. Pure: time and ids come in.
 */
export function correlate(input: CorrelateInput): CorrelateOutcome {
  const { now, rule, alert, change } = input;
  if (change === 'stale') return NONE;
  const candidate = input.candidate && !isCandidateExpired(input.candidate, now) ? input.candidate : null;
  const waiting = candidate !== null && (input.waiting || candidate.alertIds.includes(alert.id));
  if (alert.status === 'resolved')
    return change === 'resolved' ? onResolved(input, candidate, waiting) : NONE;

  // Resends of a known firing alert change nothing (and must not reopen a hand-resolved incident).
  if (input.attached && change !== 'refiring') return NONE;
  if (!input.attached && change === 'repeat' && waiting) return NONE;

  const incident = input.incident;
  if (incident && incident.state !== 'resolved') return join(input, incident, [], false);
  if (incident?.resolvedAt && now.getTime() - incident.resolvedAt.getTime() <= rule.windowMs) {
    const flapCount = incident.flapCount + 1;
    const reopened: Incident = {
      ...incident,
      state: 'open',
      status: 'investigating',
      resolvedAt: null,
      flapCount,
    };
    const event = draft(input, 'reopened', {
      reason: 'flap',
      alertId: alert.id,
      fingerprint: alert.fingerprint,
      resolvedAt: incident.resolvedAt.toISOString(),
      flapCount,
    });
    return join(input, reopened, [event], false);
  }
  // A resolved incident's alert that fires again after the window belongs to a new incident.
  return openOrWait(input, candidate, waiting);
}

function draft(input: CorrelateInput, kind: IncidentEventDraft['kind'], data: Record<string, unknown>) {
  return {
    at: input.now,
    kind,
    actor: `rule:${input.rule.name}`,
    visibility: 'internal',
    data,
  } as IncidentEventDraft;
}

function alertName(alert: CorrelateAlert): string {
  return alert.labels.alertname ?? alert.fingerprint;
}

function pluralize(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Severity only rises automatically; lowering it is a human decision. */
function escalate(
  input: CorrelateInput,
  incident: Incident,
  customerAdded: boolean,
): IncidentEventDraft | null {
  const next = ruleSeverity(input.rule, {
    customers: incident.customers,
    alerts: incident.alertCount,
    labels: input.groupLabels,
  });
  if (!isMoreSevere(next, incident.severity)) return null;
  const from = incident.severity;
  incident.severity = next;
  const why = customerAdded
    ? `${pluralize(incident.customers.length, 'customer')} affected`
    : `${pluralize(incident.alertCount, 'alert')}`;
  return draft(input, 'severity.changed', {
    from,
    to: next,
    reason: `${from} -> ${next}: ${why} (rule ${input.rule.name})`,
  });
}

function join(
  input: CorrelateInput,
  base: Incident,
  events: IncidentEventDraft[],
  candidateConsumed: boolean,
): CorrelateOutcome {
  const { alert, now, customer } = input;
  const incident: Incident = { ...base, customers: [...base.customers] };
  const attach: string[] = [];
  if (input.attached) {
    events.push(draft(input, 'alert.firing', { alertId: alert.id, fingerprint: alert.fingerprint }));
  } else {
    attach.push(alert.id);
    incident.alertCount += 1;
    events.push(
      draft(input, 'alert.attached', {
        alertId: alert.id,
        fingerprint: alert.fingerprint,
        alertname: alertName(alert),
      }),
    );
  }
  incident.firingCount += 1;
  incident.lastAlertAt = now;
  // A firing alert cancels a pending auto-resolve.
  incident.lastResolvedAlertAt = null;
  incident.autoResolveAt = null;
  let customerAdded = false;
  if (customer !== null && !incident.customers.includes(customer)) {
    incident.customers.push(customer);
    customerAdded = true;
    events.push(
      draft(input, 'customer.added', {
        customer,
        reason: `alert ${alertName(alert)} has ${input.rule.customerLabel}=${customer}`,
      }),
    );
  }
  const severityEvent = escalate(input, incident, customerAdded);
  if (severityEvent) events.push(severityEvent);
  return { kind: 'incident', incident, created: false, attach, events, candidateConsumed };
}

function onResolved(
  input: CorrelateInput,
  candidate: CandidateGroup | null,
  waiting: boolean,
): CorrelateOutcome {
  const { alert, now, rule } = input;
  const base = input.incident;
  if (base && input.attached) {
    const incident: Incident = { ...base, firingCount: Math.max(0, base.firingCount - 1) };
    const data: Record<string, unknown> = {
      alertId: alert.id,
      fingerprint: alert.fingerprint,
      firing: incident.firingCount,
    };
    if (incident.state !== 'resolved' && incident.firingCount === 0) {
      incident.lastResolvedAlertAt = now;
      incident.autoResolveAt = rule.resolveAfterMs > 0 ? new Date(now.getTime() + rule.resolveAfterMs) : null;
      // Say on the timeline when (or whether) the incident will resolve itself.
      data.autoResolveAt = incident.autoResolveAt?.toISOString() ?? null;
    }
    const events = [draft(input, 'alert.resolved', data)];
    return { kind: 'incident', incident, created: false, attach: [], events, candidateConsumed: false };
  }
  if (candidate && waiting) return { kind: 'candidate', candidate: resolveInCandidate(candidate) };
  return NONE;
}

function openOrWait(
  input: CorrelateInput,
  stored: CandidateGroup | null,
  waiting: boolean,
): CorrelateOutcome {
  const { alert, now, rule } = input;
  const base: CandidateGroup = stored ?? {
    rule: rule.name,
    groupKey: input.groupKey,
    firstAt: now,
    expiresAt: new Date(now.getTime() + rule.windowMs),
    firstAlertStartsAt: alert.startsAt,
    alertIds: [],
    customers: [],
    alertCount: 0,
    firingCount: 0,
  };
  const group = joinCandidate(base, alert, input.customer, waiting);
  const scope = { customers: group.customers, alerts: group.alertCount, labels: input.groupLabels };
  if (!openWhenHolds(rule, scope)) return { kind: 'candidate', candidate: group };
  return open(input, group, stored !== null);
}

function open(input: CorrelateInput, group: CandidateGroup, candidateConsumed: boolean): CorrelateOutcome {
  const { alert, now, rule } = input;
  const severity = ruleSeverity(rule, {
    customers: group.customers,
    alerts: group.alertCount,
    labels: input.groupLabels,
  });
  const values = { ...input.groupLabels, alertname: alert.labels.alertname ?? '' };
  const title = renderTemplate(rule.title, values) || rule.name;
  const published = rule.publish === 'auto';
  const incident: Incident = {
    id: input.newId(),
    title,
    severity,
    state: 'open',
    status: 'investigating',
    rule: rule.name,
    groupKey: input.groupKey,
    customers: [...group.customers],
    components: [...rule.components],
    componentStatus: rule.components.length > 0 ? rule.componentStatus : null,
    owner: null,
    published,
    alertCount: group.alertCount,
    firingCount: group.firingCount,
    flapCount: 0,
    openedAt: now,
    acknowledgedAt: null,
    resolvedAt: null,
    nextUpdateDue: null,
    lastResolvedAlertAt: null,
    autoResolveAt: null,
    lastAlertAt: now,
  };
  const events: IncidentEventDraft[] = [
    draft(input, 'opened', {
      rule: rule.name,
      groupKey: input.groupKey,
      groupLabels: input.groupLabels,
      title,
      severity,
      components: incident.components,
      componentStatus: incident.componentStatus,
      alertCount: group.alertCount,
      customers: incident.customers,
      // Time to detect counts from the first alert's own start, not from when we saw it.
      firstAlertAt: group.firstAlertStartsAt.toISOString(),
      groupSince: group.firstAt.toISOString(),
    }),
  ];
  // The trigger may be a waiting alert beyond the sample, or a new one past it.
  const ids = group.alertIds.includes(alert.id) ? group.alertIds : [...group.alertIds, alert.id];
  for (const id of ids) {
    events.push(
      draft(
        input,
        'alert.attached',
        id === alert.id
          ? { alertId: id, fingerprint: alert.fingerprint, alertname: alertName(alert) }
          : { alertId: id },
      ),
    );
  }
  for (const customer of incident.customers) {
    const reason = `${input.rule.customerLabel}=${customer} on an alert that opened the incident`;
    events.push(draft(input, 'customer.added', { customer, reason }));
  }
  if (published) {
    const message = renderTemplate(rule.publicMessage ?? '', values);
    events.push(draft(input, 'published', { reason: `publish: auto (rule ${rule.name})` }));
    events.push({
      ...draft(input, 'update.posted', { status: 'investigating', message }),
      visibility: 'public',
    });
  }
  return {
    kind: 'incident',
    incident,
    created: true,
    attach: ids,
    events,
    candidateConsumed,
  };
}
