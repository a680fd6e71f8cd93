import type { IncidentEventDraft } from './correlate.ts';
import { formatDuration } from './duration.ts';
import type { Incident } from './incident.ts';
import type { Severity } from './severity.ts';
import type { EventDataByKind, SlaFiringData } from './timeline.ts';

export const SLA_TARGETS = ['acknowledge', 'owner', 'update', 'resolve'] as const;
export type SlaTarget = (typeof SLA_TARGETS)[number];

/** One tier's promise for one severity, in milliseconds (the catalog's shape after parsing). */
export interface SlaPolicyMs {
  acknowledge: number;
  owner: number;
  update_every: number;
  resolve: number;
}

/** The catalog fields SLA logic reads; the parsed Catalog satisfies it structurally. */
export interface SlaSettings {
  customers: readonly { id: string; tier: string }[];
  default_tier: string;
  sla_policies: Record<string, Partial<Record<Severity, SlaPolicyMs>>>;
  sla_warning_at: number;
}

/** Per target, the duration that applies and the tier it came from (the strictest one). */
export type SlaSelection = Partial<Record<SlaTarget, { ms: number; tier: string }>>;

const POLICY_KEY: Record<SlaTarget, keyof SlaPolicyMs> = {
  acknowledge: 'acknowledge',
  owner: 'owner',
  update: 'update_every',
  resolve: 'resolve',
};

export function tierOf(settings: SlaSettings, customer: string): string {
  return settings.customers.find((c) => c.id === customer)?.tier ?? settings.default_tier;
}

/**
 * The clocks an incident runs: for each target, the strictest (shortest) duration among the tiers of its
 * affected customers; no customers or unknown ones count as default_tier. Null when no tier has a policy
 * for the severity.
 */
export function selectPolicy(
  settings: SlaSettings,
  customers: readonly string[],
  severity: Severity,
): SlaSelection | null {
  const tiers = [
    ...new Set(customers.length ? customers.map((c) => tierOf(settings, c)) : [settings.default_tier]),
  ];
  const out: SlaSelection = {};
  let any = false;
  for (const tier of tiers) {
    const policy = settings.sla_policies[tier]?.[severity];
    if (!policy) continue;
    for (const target of SLA_TARGETS) {
      const ms = policy[POLICY_KEY[target]];
      const current = out[target];
      if (!current || ms < current.ms) out[target] = { ms, tier };
      any = true;
    }
  }
  return any ? out : null;
}

/** One SLA clock row. Each public update closes the running update clock and starts the next one. */
export interface SlaClock {
  /** null until stored. */
  id: number | null;
  incidentId: string;
  target: SlaTarget;
  tier: string;
  startedAt: Date;
  dueAt: Date;
  warnAt: Date;
  metAt: Date | null;
  breachedAt: Date | null;
  warnedAt: Date | null;
  cancelledAt: Date | null;
}

export const isActive = (c: SlaClock) => c.metAt === null && c.cancelledAt === null;

export type ClockState = 'running' | 'warning' | 'breached' | 'met' | 'met_late' | 'cancelled';

export function clockState(c: SlaClock): ClockState {
  if (c.cancelledAt) return 'cancelled';
  if (c.metAt) return c.breachedAt ? 'met_late' : 'met';
  if (c.breachedAt) return 'breached';
  if (c.warnedAt) return 'warning';
  return 'running';
}

export interface ReconcileInput {
  incident: Incident;
  /** null: no policy applies (running clocks are cancelled). */
  selection: SlaSelection | null;
  /** Fraction of the duration at which a warning fires (catalog sla_warning_at). */
  warningAt: number;
  /** Every clock of the incident, active or not (to tell a first clock from a restarted one). */
  clocks: readonly SlaClock[];
  now: Date;
  /** A public update was posted in this change: it meets the update clock and starts the next one. */
  updatePosted?: boolean;
}

export interface ReconcileResult {
  /** Clocks to insert (id null) or update. */
  changed: SlaClock[];
  events: IncidentEventDraft[];
}

function timesFor(startedAt: Date, ms: number, warningAt: number, cap: Date | null) {
  let due = startedAt.getTime() + ms;
  // A promised next update earlier than the SLA is the one customers wait for.
  if (cap && cap.getTime() >= startedAt.getTime()) due = Math.min(due, cap.getTime());
  const warn = startedAt.getTime() + Math.floor((due - startedAt.getTime()) * warningAt);
  return { dueAt: new Date(due), warnAt: new Date(warn) };
}

/** The incident state that meets a target (the update target is met by posting, not by state). */
function satisfied(incident: Incident, target: SlaTarget): boolean {
  if (target === 'acknowledge') return incident.acknowledgedAt !== null || incident.state === 'acknowledged';
  if (target === 'owner') return incident.owner !== null;
  if (target === 'resolve') return incident.state === 'resolved';
  return false;
}

function metEvent(clock: SlaClock, now: Date): IncidentEventDraft {
  const late = clock.breachedAt !== null || clock.dueAt.getTime() < now.getTime();
  const data: EventDataByKind['sla.met'] = {
    target: clock.target,
    tier: clock.tier,
    dueAt: clock.dueAt.toISOString(),
    late,
    took: formatDuration(now.getTime() - clock.startedAt.getTime()),
  };
  return { at: now, kind: 'sla.met', actor: 'system', visibility: 'internal', data: { ...data } };
}

/** The most recent clock per target (later start wins; on a tie, the higher id). */
function latestByTarget(clocks: readonly SlaClock[]): Map<SlaTarget, SlaClock> {
  const latest = new Map<SlaTarget, SlaClock>();
  for (const c of clocks) {
    const prev = latest.get(c.target);
    if (!prev || c.startedAt > prev.startedAt || (sameStart(c, prev) && (c.id ?? 0) > (prev.id ?? 0)))
      latest.set(c.target, c);
  }
  return latest;
}

const sameStart = (a: SlaClock, b: SlaClock) => a.startedAt.getTime() === b.startedAt.getTime();

/** Collects the clock rows and timeline events one reconciliation produces. */
class Changes {
  readonly changed: SlaClock[] = [];
  readonly events: IncidentEventDraft[] = [];
  readonly now: Date;
  constructor(now: Date) {
    this.now = now;
  }
  meet(c: SlaClock) {
    this.changed.push({ ...c, metAt: this.now });
    this.events.push(metEvent(c, this.now));
  }
  cancel(c: SlaClock) {
    this.changed.push({ ...c, cancelledAt: this.now });
  }
}

/** The update clock is capped by the promised next update; other targets have no cap. */
const capFor = (incident: Incident, target: SlaTarget) =>
  target === 'update' ? incident.nextUpdateDue : null;

/** On resolution (or when no policy applies) every running clock ends: met if resolving meets it, else cancelled. */
function closeAll(input: ReconcileInput, active: (t: SlaTarget) => SlaClock | null, out: Changes) {
  const resolved = input.incident.state === 'resolved';
  for (const target of SLA_TARGETS) {
    const c = active(target);
    if (!c) continue;
    const meets = resolved && (target === 'resolve' || (target === 'update' && input.updatePosted));
    if (meets) out.meet(c);
    else out.cancel(c);
  }
}

/** A running clock whose policy changed moves its due and warn times (a breached clock keeps its breach). */
function retime(input: ReconcileInput, c: SlaClock, rule: { ms: number; tier: string }, out: Changes) {
  if (c.breachedAt) return;
  const t = timesFor(c.startedAt, rule.ms, input.warningAt, capFor(input.incident, c.target));
  const moved =
    t.dueAt.getTime() !== c.dueAt.getTime() ||
    t.warnAt.getTime() !== c.warnAt.getTime() ||
    c.tier !== rule.tier;
  if (moved) out.changed.push({ ...c, ...t, tier: rule.tier });
}

/**
 * Starts a clock: the first one of a target runs from the opening; later ones (after an update, a reopen)
 * from now. Targets already met by the incident's state get none.
 */
function startClock(
  input: ReconcileInput,
  target: SlaTarget,
  rule: { ms: number; tier: string },
  hadClock: boolean,
): SlaClock | null {
  const { incident, now } = input;
  if (target !== 'update' && satisfied(incident, target)) return null;
  const restarted = hadClock || (target === 'update' && input.updatePosted === true);
  const startedAt = restarted ? now : incident.openedAt;
  return {
    id: null,
    incidentId: incident.id,
    target,
    tier: rule.tier,
    startedAt,
    ...timesFor(startedAt, rule.ms, input.warningAt, capFor(incident, target)),
    metAt: null,
    breachedAt: null,
    warnedAt: null,
    cancelledAt: null,
  };
}

/**
 * Brings an incident's clocks in line with its state: meets targets that are now met, cancels the rest on
 * resolution, starts missing clocks and moves due times when severity or customers changed the policy.
 * A clock already breached keeps its breach (it was counted); warnings are not repeated. Pure.
 */
export function reconcileClocks(input: ReconcileInput): ReconcileResult {
  const { incident, selection } = input;
  const out = new Changes(input.now);
  const latest = latestByTarget(input.clocks);
  const active = (target: SlaTarget) => {
    const c = latest.get(target);
    return c && isActive(c) ? c : null;
  };

  if (incident.state === 'resolved' || selection === null) {
    closeAll(input, active, out);
    return { changed: out.changed, events: out.events };
  }

  for (const target of SLA_TARGETS) {
    const rule = selection[target];
    const c = active(target);
    const meetsNow = satisfied(incident, target) || (target === 'update' && input.updatePosted === true);
    if (c && meetsNow) out.meet(c);
    else if (c && rule) retime(input, c, rule, out);
    else if (c) out.cancel(c);
    if (c && !meetsNow) continue;
    const started = rule ? startClock(input, target, rule, latest.has(target)) : null;
    if (started) out.changed.push(started);
  }
  return { changed: out.changed, events: out.events };
}

export type ClockFiring = { kind: 'sla.warning' | 'sla.breached'; clock: SlaClock };

/** What a due clock does now: breach at due_at, warn at warn_at (once each, a breach makes a warning moot). */
export function fireClock(clock: SlaClock, now: Date): ClockFiring | null {
  if (!isActive(clock) || clock.breachedAt) return null;
  const t = now.getTime();
  if (clock.dueAt.getTime() <= t) {
    return { kind: 'sla.breached', clock: { ...clock, breachedAt: now, warnedAt: clock.warnedAt ?? now } };
  }
  if (!clock.warnedAt && clock.warnAt.getTime() <= t) {
    return { kind: 'sla.warning', clock: { ...clock, warnedAt: now } };
  }
  return null;
}

/** The timeline event of a firing (internal: customers never see SLA bookkeeping). */
export function firingEvent(firing: ClockFiring, incident: Incident, now: Date): IncidentEventDraft {
  const { clock } = firing;
  const common: SlaFiringData = {
    target: clock.target,
    tier: clock.tier,
    severity: incident.severity,
    customers: incident.customers,
    startedAt: clock.startedAt.toISOString(),
    dueAt: clock.dueAt.toISOString(),
  };
  const data: EventDataByKind['sla.warning' | 'sla.breached'] =
    firing.kind === 'sla.warning'
      ? { ...common, remaining: formatDuration(clock.dueAt.getTime() - now.getTime()) }
      : { ...common, overdueBy: formatDuration(now.getTime() - clock.dueAt.getTime()) };
  return { at: now, kind: firing.kind, actor: 'system', visibility: 'internal', data: { ...data } };
}

/** Metric label values for breaches: one per affected customer; ids outside the catalog fold into "other". */
export function breachCustomerLabels(settings: SlaSettings, customers: readonly string[]): string[] {
  if (customers.length === 0) return ['none'];
  const known = new Set(settings.customers.map((c) => c.id));
  return customers.map((c) => (known.has(c) ? c : 'other'));
}
