import { formatDuration } from './duration.ts';

/**
 * Matching alerts of a group whose rule's open_when does not hold yet. It lives for the rule's window
 * from its first alert; if open_when still fails by then, its alerts are listed as unrouted.
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
  /** Distinct alerts seen, in arrival order. */
  alertIds: string[];
  /** Those still firing. */
  firingAlertIds: string[];
  customers: string[];
  alertCount: number;
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
