import type { NormalizedAlert } from './alert.ts';
import { adoptWaitingAlerts, type CandidateGroup, expiredCandidateReason } from './candidate.ts';
import { correlate } from './correlate.ts';
import type { AlertChange } from './dedup.ts';
import type { Incident, IncidentEvent } from './incident.ts';
import type { IncidentChange } from './incident-change.ts';
import { matchAlert, type RuleMatch } from './rules/match.ts';
import type { RuleSet } from './rules/types.ts';
import type { UnroutedReason } from './unrouted.ts';

/** One alert of a webhook after dedup: its row id, what changed, its delivered state, where it already is. */
export interface UpsertedAlert {
  id: string;
  change: AlertChange;
  alert: NormalizedAlert;
  /** Incident the alert was already attached to, if any. */
  incidentId: string | null;
  /** The candidate group (`groupId(rule, groupKey)`) the alert already waits in, if any. */
  waitingIn: string | null;
}

export interface GroupRef {
  rule: string;
  groupKey: string;
}

/** The key of a correlation group in maps and locks. */
export const groupId = (rule: string, groupKey: string) => `${rule}\n${groupKey}`;

export interface UnroutedAlert extends GroupRefOrNull {
  id: string;
  fingerprint: string;
  reason: UnroutedReason;
}
interface GroupRefOrNull {
  rule: string | null;
  groupKey: string | null;
}

export interface AlertLink extends GroupRef {
  incidentId: string;
  alertId: string;
}

/** Which alerts matched a rule, which did not (and why), and the groups to lock, in lock order. */
export interface Triage {
  matched: { upserted: UpsertedAlert; match: RuleMatch }[];
  unrouted: UnroutedAlert[];
  groups: GroupRef[];
}

const skipped = (u: UpsertedAlert, reason: UnroutedReason, ref: GroupRefOrNull = NO_GROUP) => ({
  id: u.id,
  fingerprint: u.alert.fingerprint,
  ...ref,
  reason,
});
const NO_GROUP: GroupRefOrNull = { rule: null, groupKey: null };

/**
 * Matches each alert against the rules. Groups are sorted, so concurrent webhooks lock them in one order.
 * `onBudgetExceeded` hears of a rule whose `match` ran out of its CEL budget on an alert (rule name, fingerprint).
 */
export function triageAlerts(
  rules: RuleSet,
  alerts: readonly UpsertedAlert[],
  onBudgetExceeded?: (rule: string, fingerprint: string) => void,
): Triage {
  const triage: Triage = { matched: [], unrouted: [], groups: [] };
  const refs = new Map<string, GroupRef>();
  for (const upserted of alerts) {
    const match =
      upserted.change === 'stale'
        ? null
        : matchAlert(rules, upserted.alert, (rule) =>
            onBudgetExceeded?.(rule.name, upserted.alert.fingerprint),
          );
    if (match) {
      triage.matched.push({ upserted, match });
      refs.set(groupId(match.rule.name, match.groupKey), { rule: match.rule.name, groupKey: match.groupKey });
    } else if (!upserted.incidentId) {
      triage.unrouted.push(skipped(upserted, { kind: upserted.change === 'stale' ? 'stale' : 'no_rule' }));
    }
  }
  triage.groups = [...refs.keys()].sort().map((key) => refs.get(key)!);
  return triage;
}

/** One group's state while the webhook's alerts are correlated in memory. */
export interface PlannedGroup extends GroupRef {
  incident: Incident | null;
  candidate: CandidateGroup | null;
  candidateDirty: boolean;
  candidateDeleted: boolean;
  created: boolean;
  dirty: boolean;
  events: IncidentEvent[];
  attach: Set<string>;
  /** The candidate came from the store (its waiting alerts are marked there), until it opens. */
  fromStore: boolean;
  /** This webhook's alerts that joined the candidate. */
  joined: string[];
  /** The stored candidate opened: the store's waiting alerts are attached too (see `finishPlan`). */
  adopt: boolean;
  /** The stored candidate had expired: why its waiting alerts never opened an incident. */
  released: string | null;
}

export interface RoutePlanInput {
  triage: Triage;
  /** Per group id: the open incident, else the most recently resolved one. */
  incidents: ReadonlyMap<string, Incident>;
  candidates: ReadonlyMap<string, CandidateGroup>;
  now: Date;
  newId: () => string;
}

export interface RoutePlan {
  groups: PlannedGroup[];
  unrouted: UnroutedAlert[];
}

function startGroup(ref: GroupRef, input: RoutePlanInput): PlannedGroup {
  const key = groupId(ref.rule, ref.groupKey);
  const stored = input.candidates.get(key) ?? null;
  const released = stored ? expiredCandidateReason(stored, input.now) : null;
  const candidate = released ? null : stored;
  return {
    rule: ref.rule,
    groupKey: ref.groupKey,
    incident: input.incidents.get(key) ?? null,
    candidate,
    candidateDirty: false,
    candidateDeleted: released !== null,
    created: false,
    dirty: false,
    events: [],
    attach: new Set(),
    fromStore: candidate !== null,
    joined: [],
    adopt: false,
    released,
  };
}

/**
 * Correlates one webhook's matched alerts group by group, in memory: what to write to incidents, candidates
 * and alerts. Pure: the store's state, time and ids come in.
 */
export function planRouting(input: RoutePlanInput): RoutePlan {
  const groups = new Map(input.triage.groups.map((g) => [groupId(g.rule, g.groupKey), startGroup(g, input)]));
  const unrouted = [...input.triage.unrouted];
  for (const { upserted, match } of input.triage.matched) {
    const key = groupId(match.rule.name, match.groupKey);
    const reason = routeOne(groups.get(key)!, key, upserted, match, input);
    if (reason) unrouted.push(skipped(upserted, reason, { rule: match.rule.name, groupKey: match.groupKey }));
  }
  return { groups: [...groups.values()], unrouted };
}

const waitingReason = (rule: string, c: CandidateGroup): UnroutedReason => ({
  kind: 'waiting',
  rule,
  alerts: c.alertCount,
  customers: c.customers.length,
  until: c.expiresAt,
});

/** Correlates one alert into its group's state; returns why it joined no incident, if it did not. */
function routeOne(
  g: PlannedGroup,
  key: string,
  upserted: UpsertedAlert,
  match: RuleMatch,
  input: RoutePlanInput,
): UnroutedReason | null {
  const attached =
    g.incident !== null &&
    (upserted.incidentId === g.incident.id ||
      g.attach.has(upserted.id) ||
      (g.adopt && upserted.waitingIn === key));
  const waiting = g.fromStore && upserted.waitingIn === key;
  const { alert } = upserted;
  const outcome = correlate({
    now: input.now,
    rule: match.rule,
    groupKey: match.groupKey,
    groupLabels: match.groupLabels,
    customer: match.customer,
    alert: {
      id: upserted.id,
      fingerprint: alert.fingerprint,
      status: alert.status,
      startsAt: alert.startsAt,
      labels: alert.labels,
    },
    change: upserted.change,
    incident: g.incident,
    attached,
    candidate: g.candidate,
    waiting,
    newId: input.newId,
  });
  if (outcome.kind === 'candidate') {
    g.candidate = outcome.candidate;
    g.candidateDirty = true;
    g.joined.push(upserted.id);
    return waitingReason(match.rule.name, outcome.candidate);
  }
  if (outcome.kind === 'incident') {
    applyIncident(g, outcome);
    return null;
  }
  if (upserted.incidentId || attached) return null;
  // A resend of a waiting alert still waits; anything else here resolved before an incident opened.
  const stillWaiting =
    g.candidate && alert.status === 'firing' && (waiting || g.candidate.alertIds.includes(upserted.id));
  return stillWaiting
    ? waitingReason(match.rule.name, g.candidate!)
    : { kind: 'resolved', rule: match.rule.name };
}

function applyIncident(
  g: PlannedGroup,
  outcome: Extract<ReturnType<typeof correlate>, { kind: 'incident' }>,
) {
  const { incident } = outcome;
  if (g.incident && g.incident.id !== incident.id && !g.incident.resolvedAt) {
    throw new Error(`correlator replaced open incident ${g.incident.id} of group ${g.groupKey}`);
  }
  if (g.incident?.id !== incident.id) g.attach.clear();
  g.created ||= outcome.created;
  g.incident = incident;
  g.dirty = true;
  g.events.push(...outcome.events.map((e) => ({ ...e, incidentId: incident.id })));
  for (const id of outcome.attach) g.attach.add(id);
  if (!outcome.candidateConsumed) return;
  g.candidate = null;
  g.candidateDeleted = true;
  g.candidateDirty = false;
  g.adopt = g.fromStore;
  g.fromStore = false;
  adopt(g, g.joined);
  g.joined = [];
}

/** Links the rest of an opened candidate's waiting alerts to its incident, with their timeline events. */
function adopt(g: PlannedGroup, ids: readonly string[]): void {
  const { events, adopted } = adoptWaitingAlerts(g.events, g.attach, ids);
  g.events = events;
  for (const id of adopted) g.attach.add(id);
}

/** Groups whose stored candidate opened: the store lists their waiting alerts for `finishPlan`. */
export const adoptingGroups = (plan: RoutePlan): GroupRef[] =>
  plan.groups.filter((g) => g.adopt).map((g) => ({ rule: g.rule, groupKey: g.groupKey }));

/** Everything one webhook writes, in the order the writer applies it. */
export interface RouteWrites {
  deleteCandidates: GroupRef[];
  putCandidates: CandidateGroup[];
  /** Expired candidates: their waiting alerts stop waiting, with this reason. */
  release: (GroupRef & { reason: string })[];
  changes: IncidentChange[];
  links: AlertLink[];
  /** Alerts of the webhook that joined no incident (attached ones removed). */
  unrouted: UnroutedAlert[];
}

/** Adds the store's waiting alerts of opened candidates, then lays the plan out as writes. */
export function finishPlan(plan: RoutePlan, waiting: ReadonlyMap<string, readonly string[]>): RouteWrites {
  const writes: RouteWrites = {
    deleteCandidates: [],
    putCandidates: [],
    release: [],
    changes: [],
    links: [],
    unrouted: [],
  };
  for (const g of plan.groups) {
    const ref = { rule: g.rule, groupKey: g.groupKey };
    if (g.adopt) adopt(g, waiting.get(groupId(g.rule, g.groupKey)) ?? []);
    if (g.candidateDeleted && !g.candidateDirty) writes.deleteCandidates.push(ref);
    if (g.candidateDirty && g.candidate) writes.putCandidates.push(g.candidate);
    if (g.released) writes.release.push({ ...ref, reason: g.released });
    if (!g.dirty || !g.incident) continue;
    writes.changes.push({ incident: g.incident, created: g.created, events: g.events });
    for (const alertId of g.attach) writes.links.push({ incidentId: g.incident.id, alertId, ...ref });
  }
  const attached = new Set(writes.links.map((l) => l.alertId));
  writes.unrouted = plan.unrouted.filter((u) => !attached.has(u.id));
  return writes;
}
