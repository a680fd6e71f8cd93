import type { IncidentChange } from '../core/incident-change.ts';
import {
  adoptingGroups,
  finishPlan,
  planRouting,
  type RouteWrites,
  triageAlerts,
  type UpsertedAlert,
} from '../core/route-plan.ts';
import type { RuleSet } from '../core/rules/types.ts';
import { storedUnroutedReason } from '../core/unrouted.ts';
import {
  deleteCandidates,
  getCandidates,
  listWaiting,
  markUnrouted,
  putCandidates,
  releaseWaiting,
} from '../store/candidates.ts';
import type { Trx } from '../store/db.ts';
import { attachAlertsToIncidents, findGroupIncidents, lockGroups } from '../store/incidents.ts';
import type { AlertRouter } from './ingest.ts';
import type { IdGen } from './ports.ts';
import { type TrackChanges, writeIncidentChanges } from './write-incident-changes.ts';

/**
 * Applies the rule set to one webhook's alerts inside its transaction: lock the groups (sorted, so concurrent
 * webhooks cannot deadlock), read them, plan in memory (core/route-plan.ts), write. Cost grows with the
 * groups and alerts a webhook touches, never with the number of open incidents or waiting alerts.
 */
export function createAlertRouter(
  rules: RuleSet,
  deps: {
    newId: IdGen;
    onCommit: (changes: IncidentChange[]) => void;
    track?: TrackChanges;
    /** A rule's `match` ran out of its CEL evaluation budget on an alert (which then does not match it). */
    onBudgetExceeded?: (rule: string, fingerprint: string) => void;
  },
): AlertRouter {
  return async (trx: Trx, alerts: UpsertedAlert[], now: Date) => {
    const triage = triageAlerts(rules, alerts, deps.onBudgetExceeded);
    await lockGroups(trx, triage.groups);
    const incidents = await findGroupIncidents(trx, triage.groups);
    const candidates = await getCandidates(trx, triage.groups);
    const plan = planRouting({ triage, incidents, candidates, now, newId: deps.newId });
    const writes = finishPlan(plan, await listWaiting(trx, adoptingGroups(plan)));
    await writeRoute(trx, writes, now, deps.track);
    // The incidents this webhook's alerts opened, changed or already belong to.
    const incidentIds = new Set(writes.changes.map((c) => c.incident.id));
    for (const a of alerts) if (a.incidentId) incidentIds.add(a.incidentId);
    return {
      incidentIds: [...incidentIds],
      unrouted: writes.unrouted.map((u) => ({ fingerprint: u.fingerprint, reason: u.reason })),
      afterCommit: () => deps.onCommit(writes.changes),
    };
  };
}

/** One statement (or one per 1,000 rows) per table for the whole webhook, whatever the number of groups. */
async function writeRoute(trx: Trx, writes: RouteWrites, now: Date, track?: TrackChanges): Promise<void> {
  await deleteCandidates(trx, writes.deleteCandidates);
  await putCandidates(trx, writes.putCandidates);
  // Before this webhook's alerts are marked: one of them may wait again, in a new candidate of the group.
  await releaseWaiting(trx, writes.release);
  await writeIncidentChanges(trx, writes.changes, now, track);
  await attachAlertsToIncidents(trx, writes.links, now);
  await markUnrouted(
    trx,
    writes.unrouted.flatMap((u) => {
      const reason = storedUnroutedReason(u.reason);
      return reason === null ? [] : [{ ...u, reason, waiting: u.reason.kind === 'waiting' }];
    }),
  );
}
