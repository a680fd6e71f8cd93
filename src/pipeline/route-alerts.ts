import { adoptWaitingAlerts, type CandidateGroup, expiredCandidateReason } from '../core/candidate.ts';
import { type CorrelateOutcome, correlate, type IncidentEventDraft } from '../core/correlate.ts';
import type { Incident, IncidentEvent } from '../core/incident.ts';
import { matchAlert } from '../core/rules/match.ts';
import type { Rule, RuleSet } from '../core/rules/types.ts';
import { storedUnroutedReason, type UnroutedReason } from '../core/unrouted.ts';
import type { Trx, UpsertedAlert } from '../store/alerts.ts';
import {
  attachAlertsToIncidents,
  deleteCandidates,
  findGroupIncidents,
  getCandidates,
  insertEvents,
  listWaiting,
  lockGroups,
  markUnrouted,
  putCandidates,
  releaseWaiting,
  saveIncidents,
} from '../store/incidents.ts';
import type { AlertRouter } from './ingest.ts';
import type { IdGen } from './ports.ts';

/** What happened to incidents in one transaction, for after-commit effects (metrics, snapshot, sockets). */
export interface IncidentChange {
  incident: Incident;
  created: boolean;
  events: IncidentEvent[];
}

interface UnroutedEntry {
  id: string;
  fingerprint: string;
  rule: string | null;
  groupKey: string | null;
  reason: UnroutedReason;
}

interface GroupState {
  rule: Rule;
  groupKey: string;
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
  /** The stored candidate opened: attach the store's waiting alerts too. */
  adopt: boolean;
  /** The stored candidate had expired: why its waiting alerts never opened an incident. */
  released: string | null;
}

/** Links the rest of an opened candidate's waiting alerts to its incident, with their timeline events. */
function adopt(g: GroupState, ids: readonly string[]): void {
  const { events, adopted } = adoptWaitingAlerts(g.events, g.attach, ids);
  g.events = events;
  for (const id of adopted) g.attach.add(id);
}

/**
 * Applies the rule set to one webhook's alerts inside its transaction. Each group is locked once (in a fixed
 * order, so concurrent webhooks cannot deadlock), read once, correlated in memory alert by alert, and written
 * once: cost grows with the groups a webhook touches, never with the number of open incidents.
 */
export function createAlertRouter(
  rules: RuleSet,
  deps: {
    newId: IdGen;
    onCommit: (changes: IncidentChange[]) => void;
    /** In the same transaction, after the incidents are written: SLA clocks and the notification outbox. */
    track?: (trx: Trx, changes: IncidentChange[], now: Date) => Promise<void>;
  },
): AlertRouter {
  return async (trx: Trx, alerts: UpsertedAlert[], now: Date) => {
    const matched: { upserted: UpsertedAlert; match: NonNullable<ReturnType<typeof matchAlert>> }[] = [];
    const unrouted: UnroutedEntry[] = [];
    const skip = (
      u: UpsertedAlert,
      reason: UnroutedReason,
      rule: string | null = null,
      groupKey: string | null = null,
    ) => unrouted.push({ id: u.id, fingerprint: u.alert.fingerprint, rule, groupKey, reason });
    for (const upserted of alerts) {
      if (upserted.change === 'stale') {
        if (!upserted.incidentId) skip(upserted, { kind: 'stale' });
        continue;
      }
      const match = matchAlert(rules, upserted.alert);
      if (match) matched.push({ upserted, match });
      else if (!upserted.incidentId) skip(upserted, { kind: 'no_rule' });
    }

    const groups = new Map<string, GroupState>();
    const keyOf = (rule: string, groupKey: string) => `${rule}\n${groupKey}`;
    const refs = new Map<string, { rule: Rule; groupKey: string }>();
    for (const m of matched) refs.set(keyOf(m.match.rule.name, m.match.groupKey), m.match);
    // Sorted, so concurrent webhooks take group locks in the same order and cannot deadlock.
    const wanted = [...refs.keys()].sort().map((key) => ({ key, ...refs.get(key)! }));
    const groupRefs = wanted.map((w) => ({ rule: w.rule.name, groupKey: w.groupKey }));
    await lockGroups(trx, groupRefs);
    const [incidents, candidates] = [
      await findGroupIncidents(trx, groupRefs),
      await getCandidates(trx, groupRefs),
    ];
    for (const { key, rule, groupKey } of wanted) {
      let candidate = candidates.get(key) ?? null;
      let candidateDeleted = false;
      const expiredReason = candidate ? expiredCandidateReason(candidate, now) : null;
      if (candidate && expiredReason) {
        candidate = null;
        candidateDeleted = true;
      }
      groups.set(key, {
        rule,
        groupKey,
        incident: incidents.get(key) ?? null,
        candidate,
        candidateDirty: false,
        candidateDeleted,
        created: false,
        dirty: false,
        events: [],
        attach: new Set(),
        fromStore: candidate !== null,
        joined: [],
        adopt: false,
        released: expiredReason,
      });
    }

    for (const { upserted, match } of matched) {
      const key = keyOf(match.rule.name, match.groupKey);
      const g = groups.get(key)!;
      const attached =
        g.incident !== null &&
        (upserted.incidentId === g.incident.id ||
          g.attach.has(upserted.id) ||
          (g.adopt && upserted.waitingIn === key));
      const isWaiting = g.fromStore && upserted.waitingIn === key;
      const outcome: CorrelateOutcome = correlate({
        now,
        rule: match.rule,
        groupKey: match.groupKey,
        groupLabels: match.groupLabels,
        customer: match.customer,
        alert: {
          id: upserted.id,
          fingerprint: upserted.alert.fingerprint,
          status: upserted.alert.status,
          startsAt: upserted.alert.startsAt,
          labels: upserted.alert.labels,
        },
        change: upserted.change,
        incident: g.incident,
        attached,
        candidate: g.candidate,
        waiting: isWaiting,
        newId: deps.newId,
      });
      const waitingReason = (c: CandidateGroup): UnroutedReason => ({
        kind: 'waiting',
        rule: match.rule.name,
        alerts: c.alertCount,
        customers: c.customers.length,
        until: c.expiresAt,
      });
      if (outcome.kind === 'candidate') {
        g.candidate = outcome.candidate;
        g.candidateDirty = true;
        g.joined.push(upserted.id);
        skip(upserted, waitingReason(outcome.candidate), match.rule.name, match.groupKey);
      } else if (outcome.kind === 'incident') {
        if (g.incident && g.incident.id !== outcome.incident.id && !g.incident.resolvedAt) {
          throw new Error(`correlator replaced open incident ${g.incident.id} of group ${match.groupKey}`);
        }
        if (g.incident?.id !== outcome.incident.id) g.attach.clear();
        g.created ||= outcome.created;
        g.incident = outcome.incident;
        g.dirty = true;
        g.events.push(
          ...outcome.events.map((e: IncidentEventDraft) => ({ ...e, incidentId: outcome.incident.id })),
        );
        for (const id of outcome.attach) g.attach.add(id);
        if (outcome.candidateConsumed) {
          g.candidate = null;
          g.candidateDeleted = true;
          g.candidateDirty = false;
          g.adopt = g.fromStore;
          g.fromStore = false;
          adopt(g, g.joined);
          g.joined = [];
        }
      } else if (!upserted.incidentId && !attached) {
        // A resend of a waiting alert still waits; anything else here resolved before an incident opened.
        const stillWaiting =
          g.candidate &&
          upserted.alert.status === 'firing' &&
          (isWaiting || g.candidate.alertIds.includes(upserted.id));
        const reason: UnroutedReason = stillWaiting
          ? waitingReason(g.candidate!)
          : { kind: 'resolved', rule: match.rule.name };
        skip(upserted, reason, match.rule.name, match.groupKey);
      }
    }

    // Candidates that opened with alerts waiting from earlier webhooks: found by group, attached now.
    const adopting = [...groups.values()].filter((g) => g.adopt);
    const waiting = await listWaiting(
      trx,
      adopting.map((g) => ({ rule: g.rule.name, groupKey: g.groupKey })),
    );
    for (const g of adopting) adopt(g, waiting.get(keyOf(g.rule.name, g.groupKey)) ?? []);
    await releaseWaiting(
      trx,
      [...groups.values()].flatMap((g) =>
        g.released ? [{ rule: g.rule.name, groupKey: g.groupKey, reason: g.released }] : [],
      ),
    );

    const changes: IncidentChange[] = [];
    const links: { incidentId: string; alertId: string; rule: string; groupKey: string }[] = [];
    const deleted = [...groups.values()].filter((g) => g.candidateDeleted && !g.candidateDirty);
    await deleteCandidates(
      trx,
      deleted.map((g) => ({ rule: g.rule.name, groupKey: g.groupKey })),
    );
    const put = [...groups.values()].flatMap((g) => (g.candidateDirty && g.candidate ? [g.candidate] : []));
    await putCandidates(trx, put);
    for (const g of groups.values()) {
      if (!g.dirty || !g.incident) continue;
      changes.push({ incident: g.incident, created: g.created, events: g.events });
      for (const alertId of g.attach)
        links.push({ incidentId: g.incident.id, alertId, rule: g.rule.name, groupKey: g.groupKey });
    }
    // One statement per table for the whole webhook, whatever the number of groups it touched.
    await saveIncidents(trx, changes, now);
    await insertEvents(
      trx,
      changes.flatMap((c) => c.events),
    );
    await attachAlertsToIncidents(trx, links, now);
    await deps.track?.(trx, changes, now);
    const attachedIds = new Set(links.map((l) => l.alertId));
    const left = unrouted.filter((u) => !attachedIds.has(u.id));
    await markUnrouted(
      trx,
      left.flatMap((u) => {
        const reason = storedUnroutedReason(u.reason);
        if (reason === null) return [];
        return [
          { id: u.id, rule: u.rule, groupKey: u.groupKey, reason, waiting: u.reason.kind === 'waiting' },
        ];
      }),
    );
    // The incidents this webhook's alerts opened, changed or already belong to.
    const incidentIds = new Set(changes.map((c) => c.incident.id));
    for (const a of alerts) if (a.incidentId) incidentIds.add(a.incidentId);
    return {
      incidentIds: [...incidentIds],
      unrouted: left.map((u) => ({ fingerprint: u.fingerprint, reason: u.reason })),
      afterCommit: () => deps.onCommit(changes),
    };
  };
}
