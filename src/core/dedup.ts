import type { AlertStatus, NormalizedAlert } from './alert.ts';

/** What the store knows of an alert: enough to order a new delivery against it. */
export interface StoredAlertState {
  status: AlertStatus;
  startsAt: Date;
  endsAt: Date | null;
}

/**
 * What a delivery means for a known alert:
 * - `new`: first sight; `refiring`: resolved → firing (a new occurrence); `resolved`: firing → resolved;
 * - `repeat`: the same state again (re-sent group, retry): only last-seen moves;
 * - `stale`: an older state delivered late (a retry overtaken by a newer delivery): ignored, so any delivery
 *   order ends in the state of the in-order one.
 */
export type AlertChange = 'new' | 'refiring' | 'resolved' | 'repeat' | 'stale';

export interface DedupDecision {
  change: AlertChange;
  /** The state to store (for `stale`, the stored one). */
  next: StoredAlertState;
}

const t = (d: Date | null) => (d ? d.getTime() : Number.NEGATIVE_INFINITY);

export function decideAlertChange(stored: StoredAlertState | null, incoming: NormalizedAlert): DedupDecision {
  const next: StoredAlertState = {
    status: incoming.status,
    startsAt: incoming.startsAt,
    endsAt: incoming.endsAt,
  };
  if (!stored) return { change: 'new', next };
  // A resolved delivery without an end time ends "now-ish": order it by its start.
  const incomingEnd = t(incoming.endsAt ?? incoming.startsAt);
  if (stored.status === 'firing') {
    if (incoming.status === 'firing') {
      // Same occurrence re-sent (Alertmanager keeps startsAt); a later start means a missed resolve: keep the latest.
      const startsAt = t(incoming.startsAt) > t(stored.startsAt) ? incoming.startsAt : stored.startsAt;
      return { change: 'repeat', next: { status: 'firing', startsAt, endsAt: null } };
    }
    // A resolution of an occurrence that ended before the current one began is stale.
    if (incomingEnd < t(stored.startsAt)) return { change: 'stale', next: stored };
    return { change: 'resolved', next };
  }
  const storedEnd = t(stored.endsAt ?? stored.startsAt);
  if (incoming.status === 'firing') {
    // Firing again only if it started after the stored occurrence ended; otherwise it is that old occurrence.
    if (t(incoming.startsAt) > storedEnd) return { change: 'refiring', next };
    return { change: 'stale', next: stored };
  }
  // Resolved twice: keep the occurrence that ended last.
  return incomingEnd > storedEnd ? { change: 'repeat', next } : { change: 'repeat', next: stored };
}
