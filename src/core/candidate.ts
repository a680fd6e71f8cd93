import { formatDuration } from './duration.ts';

/** How many alert ids a candidate keeps (the first ones): a sample to show, never the membership. */
export const CANDIDATE_SAMPLE = 100;
/**
 * How many distinct customers a candidate remembers. open_when and severity see this set, so
 * `size(customers)` is exact up to this many and stays at it beyond; the opened incident starts with it.
 */
export const CANDIDATE_CUSTOMERS = 1000;

/**
 * Matching alerts of a group whose rule's open_when does not hold yet. It lives for the rule's window
 * from its first alert; if open_when still fails by then, its alerts are listed as unrouted. It keeps counts
 * and bounded samples, so its cost never grows with the number of waiting alerts: the store marks which
 * alerts wait in it and finds them by group when it opens or expires.
 */
export interface CandidateGroup {
  /** Rule name. */
  rule: string;
  groupKey: string;
  /** When the first alert of the group was seen. */
  firstAt: Date;
  /** firstAt + window: at or after this instant the candidate is dead. */
  expiresAt: Date;
  /** Earliest startsAt among its alerts (time to detect counts from there). */
  firstAlertStartsAt: Date;
  /** The first distinct alerts seen (at most CANDIDATE_SAMPLE), in arrival order. */
  alertIds: string[];
  /** Distinct customers seen (at most CANDIDATE_CUSTOMERS), in arrival order. */
  customers: string[];
  /** Distinct alerts waiting in the group. */
  alertCount: number;
  /** Those of them still firing. */
  firingCount: number;
}

/** The candidate with one more waiting alert (or a waiting one firing again): counts move, samples stay bounded. */
export function joinCandidate(
  group: CandidateGroup,
  alert: { id: string; startsAt: Date },
  customer: string | null,
  waiting: boolean,
): CandidateGroup {
  const next: CandidateGroup = { ...group, firingCount: group.firingCount + 1 };
  if (!waiting) {
    next.alertCount += 1;
    if (group.alertIds.length < CANDIDATE_SAMPLE) next.alertIds = [...group.alertIds, alert.id];
  }
  if (
    customer !== null &&
    group.customers.length < CANDIDATE_CUSTOMERS &&
    !group.customers.includes(customer)
  )
    next.customers = [...group.customers, customer];
  if (alert.startsAt < next.firstAlertStartsAt) next.firstAlertStartsAt = alert.startsAt;
  return next;
}

/** The candidate after one of its waiting alerts resolved: still counted, no longer firing. */
export function resolveInCandidate(group: CandidateGroup): CandidateGroup {
  return { ...group, firingCount: Math.max(0, group.firingCount - 1) };
}

export function isCandidateExpired(candidate: CandidateGroup, now: Date): boolean {
  return candidate.expiresAt.getTime() <= now.getTime();
}

/** The reason shown in the unrouted listing for a dead candidate's alerts; null while it lives. */
export function expiredCandidateReason(candidate: CandidateGroup, now: Date): string | null {
  if (!isCandidateExpired(candidate, now)) return null;
  const window = formatDuration(candidate.expiresAt.getTime() - candidate.firstAt.getTime());
  return `open_when not met within ${window} (rule ${candidate.rule})`;
}

/**
 * When a candidate opened with more alerts than its sample: `alert.attached` events for the rest of its
 * waiting alerts (those not in `attached`), placed after the opening's own, as if they were in the sample.
 */
export function adoptWaitingAlerts<E extends { kind: string; data: Record<string, unknown> }>(
  events: E[],
  attached: ReadonlySet<string>,
  waiting: readonly string[],
): { events: E[]; adopted: string[] } {
  let at = events.length - 1;
  while (at >= 0 && events[at]!.kind !== 'opened') at -= 1;
  const opened = events[at];
  const adopted = [...new Set(waiting)].filter((id) => !attached.has(id));
  if (!opened || adopted.length === 0) return { events, adopted: [] };
  let end = at + 1;
  while (events[end]?.kind === 'alert.attached') end += 1;
  const added = adopted.map((alertId) => ({ ...opened, kind: 'alert.attached', data: { alertId } }));
  return { events: [...events.slice(0, end), ...added, ...events.slice(end)], adopted };
}
