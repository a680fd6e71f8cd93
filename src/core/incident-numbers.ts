import type { Incident } from './incident.ts';
import type { Severity } from './severity.ts';
import { type SlaSettings, tierOf } from './sla.ts';
import { firstAlertAt, firstOfKind, type TimelineEntry } from './timeline.ts';

/**
 * The numbers a post-incident review starts from, read off the timeline (the source of truth): how long
 * until we detected, acknowledged, owned, told customers, mitigated and resolved, and whether each
 * customer's own SLA was kept. Pure.
 */

const KEY_NUMBERS = ['detect', 'acknowledge', 'owner', 'first_update', 'mitigate', 'resolve'] as const;
export type KeyNumberName = (typeof KEY_NUMBERS)[number];

const KEY_NUMBER_LABELS: Record<KeyNumberName, string> = {
  detect: 'Time to detect',
  acknowledge: 'Time to acknowledge',
  owner: 'Time to owner',
  first_update: 'Time to first public update',
  mitigate: 'Time to mitigate',
  resolve: 'Time to resolve',
};

export interface KeyNumber {
  name: KeyNumberName;
  label: string;
  /** null: not happened (yet). */
  ms: number | null;
  /** When it happened (for detect: when the incident opened). */
  at: Date | null;
}

const dateOf = (v: string | null): Date | null => {
  if (v === null) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
};

/** When the first alert of the incident started firing (its own start time), else the opening. */
export function impactStart(incident: Incident, events: readonly TimelineEntry[]): Date {
  const first = dateOf(firstAlertAt(firstOfKind(events, 'opened')));
  return first && first < incident.openedAt ? first : incident.openedAt;
}

/**
 * Detect counts from the first alert's start to the opening; the others from the opening to the first
 * such event (mitigate: the first public update saying `monitoring`; resolve: the final resolution).
 */
export function keyNumbers(incident: Incident, events: readonly TimelineEntry[]): KeyNumber[] {
  const opened = incident.openedAt.getTime();
  const first = (pred: (e: TimelineEntry) => boolean) => events.find(pred)?.at ?? null;
  const since = (at: Date | null) => (at ? Math.max(0, at.getTime() - opened) : null);
  const firstAlert = dateOf(firstAlertAt(firstOfKind(events, 'opened')));
  const acked = first((e) => e.kind === 'acknowledged');
  const owned = first((e) => e.kind === 'owner.assigned');
  const updated = first((e) => e.kind === 'update.posted');
  const mitigated = first((e) => e.kind === 'update.posted' && e.data.status === 'monitoring');
  const resolved = incident.state === 'resolved' ? incident.resolvedAt : null;
  const values: Record<KeyNumberName, { ms: number | null; at: Date | null }> = {
    detect: {
      ms: firstAlert ? Math.max(0, opened - firstAlert.getTime()) : null,
      at: firstAlert ? incident.openedAt : null,
    },
    acknowledge: { ms: since(acked), at: acked },
    owner: { ms: since(owned), at: owned },
    first_update: { ms: since(updated), at: updated },
    mitigate: { ms: since(mitigated), at: mitigated },
    resolve: { ms: since(resolved), at: resolved },
  };
  return KEY_NUMBERS.map((name) => ({ name, label: KEY_NUMBER_LABELS[name], ...values[name] }));
}

export type SlaOutcomeState = 'met' | 'missed' | 'pending' | 'not_needed';

export interface SlaTargetOutcome {
  target: 'acknowledge' | 'owner' | 'update' | 'resolve';
  /** The customer's promise for this severity. */
  promisedMs: number;
  /** What happened: time to the event, or for updates the longest wait between public updates. */
  actualMs: number | null;
  state: SlaOutcomeState;
}

export interface CustomerSla {
  /** null: the incident names no customer, so the default tier's promise is shown. */
  customer: string | null;
  tier: string;
  /** Empty when the tier promises nothing for this severity. */
  targets: SlaTargetOutcome[];
}

/**
 * Each customer against its own tier's promise at the incident's current severity, measured from the
 * opening. (The running clocks use the strictest tier among all customers; a review wants each
 * customer's own answer.) Updates: the longest gap between the opening, each public update and, while
 * open, now, against `update_every`.
 */
export function slaPerCustomer(
  settings: SlaSettings,
  incident: Incident,
  events: readonly TimelineEntry[],
  now: Date,
): CustomerSla[] {
  const customers: (string | null)[] = incident.customers.length ? incident.customers : [null];
  const opened = incident.openedAt.getTime();
  const end = incident.state === 'resolved' && incident.resolvedAt ? incident.resolvedAt.getTime() : null;
  const firstAt = (kind: string) => events.find((e) => e.kind === kind)?.at.getTime() ?? null;
  const acked = firstAt('acknowledged');
  const owned = firstAt('owner.assigned');

  let longestGap = 0;
  let last = opened;
  for (const e of events) {
    if (e.kind !== 'update.posted') continue;
    longestGap = Math.max(longestGap, e.at.getTime() - last);
    last = e.at.getTime();
  }
  const openGap = end === null ? now.getTime() - last : 0;

  const outcome = (
    doneAt: number | null,
    promised: number,
  ): Omit<SlaTargetOutcome, 'target' | 'promisedMs'> => {
    if (doneAt !== null) {
      const actual = Math.max(0, doneAt - opened);
      return { actualMs: actual, state: actual <= promised ? 'met' : 'missed' };
    }
    // Resolved without it: missed only if the promise ran out before the resolution.
    if (end !== null) return { actualMs: null, state: end - opened > promised ? 'missed' : 'not_needed' };
    return { actualMs: null, state: now.getTime() - opened > promised ? 'missed' : 'pending' };
  };

  return customers.map((customer) => {
    const tier = customer === null ? settings.default_tier : tierOf(settings, customer);
    const policy = settings.sla_policies[tier]?.[incident.severity as Severity];
    if (!policy) return { customer, tier, targets: [] };
    const gap = Math.max(longestGap, openGap);
    const updateState: SlaOutcomeState =
      gap > policy.update_every ? 'missed' : end === null ? 'pending' : 'met';
    return {
      customer,
      tier,
      targets: [
        { target: 'acknowledge', promisedMs: policy.acknowledge, ...outcome(acked, policy.acknowledge) },
        { target: 'owner', promisedMs: policy.owner, ...outcome(owned, policy.owner) },
        { target: 'update', promisedMs: policy.update_every, actualMs: gap, state: updateState },
        { target: 'resolve', promisedMs: policy.resolve, ...outcome(end, policy.resolve) },
      ],
    };
  });
}
