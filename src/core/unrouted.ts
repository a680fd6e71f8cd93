/** Why an alert of a webhook opened or joined no incident. */
export type UnroutedReason =
  | { kind: 'no_rules' }
  | { kind: 'no_rule' }
  | { kind: 'stale' }
  | { kind: 'resolved'; rule: string }
  | { kind: 'waiting'; rule: string; alerts: number; customers: number; until: Date };

export interface Unrouted {
  fingerprint: string;
  reason: UnroutedReason;
}

/** How many unrouted alerts a webhook's answer lists; the rest are counted. */
export const UNROUTED_LISTED = 100;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The reason as the webhook answer says it, for the person reading a sender's log. */
export function describeUnrouted(reason: UnroutedReason): string {
  switch (reason.kind) {
    case 'no_rules':
      return 'no rules loaded';
    case 'no_rule':
      return 'no rule matched';
    case 'stale':
      return 'older than the state already stored, ignored';
    case 'resolved':
      return `resolved, no open incident (rule "${reason.rule}")`;
    case 'waiting':
      return (
        `waiting in candidate group of rule "${reason.rule}" (open_when not yet true: ` +
        `${plural(reason.alerts, 'alert')}, ${plural(reason.customers, 'customer')}; ` +
        `until ${reason.until.toISOString()})`
      );
  }
}

/** The reason kept on the alert row (the unrouted listing and console); null: nothing to record. */
export function storedUnroutedReason(reason: UnroutedReason): string | null {
  switch (reason.kind) {
    case 'no_rule':
      return 'no rule matched';
    case 'resolved':
      return `matched rule ${reason.rule}; resolved before an incident opened`;
    case 'waiting':
      return `waiting for open_when of rule ${reason.rule} until ${reason.until.toISOString()}`;
    default:
      return null;
  }
}

/** The answer's part: the first UNROUTED_LISTED alerts with readable reasons, and how many in all. */
export function summarizeUnrouted(unrouted: readonly Unrouted[]) {
  return {
    unrouted: unrouted
      .slice(0, UNROUTED_LISTED)
      .map((u) => ({ fingerprint: u.fingerprint, reason: describeUnrouted(u.reason) })),
    unrouted_count: unrouted.length,
  };
}

/** Counts per reason kind, for one log line per webhook. */
export function countUnrouted(unrouted: readonly Unrouted[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const u of unrouted) counts[u.reason.kind] = (counts[u.reason.kind] ?? 0) + 1;
  return counts;
}
