import { describe, expect, it } from 'vitest';
import type { NormalizedAlert } from './alert.ts';
import type { CandidateGroup } from './candidate.ts';
import {
  adoptingGroups,
  finishPlan,
  groupId,
  planRouting,
  type RoutePlanInput,
  triageAlerts,
  type UpsertedAlert,
} from './route-plan.ts';
import { loadRuleSet } from './rules/load.ts';

const now = new Date('2026-11-01T10:00:00Z');
const loaded = loadRuleSet(
  [
    {
      path: 'r.yaml',
      text: `rules:
  - name: db
    match: 'labels.service == "postgres"'
    group_by: [region]
    window: 30m
    severity: SEV2
  - name: burst
    match: 'labels.service == "api"'
    group_by: []
    window: 10m
    severity: SEV3
    open_when: 'alerts >= 3'
`,
    },
  ],
  { componentIds: new Set() },
);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
const rules = loaded.rules;

function upserted(
  id: string,
  labels: Record<string, string>,
  over: Partial<UpsertedAlert> = {},
): UpsertedAlert {
  const alert: NormalizedAlert = {
    source: 'alertmanager',
    fingerprint: `fp-${id}`,
    status: 'firing',
    labels,
    annotations: {},
    title: id,
    startsAt: new Date('2026-11-01T09:55:00Z'),
    endsAt: null,
    generatorUrl: null,
  } as NormalizedAlert;
  return { id, change: 'new', alert, incidentId: null, waitingIn: null, ...over };
}

let n = 0;
const plan = (alerts: UpsertedAlert[], over: Partial<RoutePlanInput> = {}) =>
  planRouting({
    triage: triageAlerts(rules, alerts),
    incidents: new Map(),
    candidates: new Map(),
    now,
    newId: () => `inc-${++n}`,
    ...over,
  });

/** A stored candidate of rule burst, first seen and expiring at these offsets from now (ms). */
const burstCandidate = (from: number, until: number, counts: Partial<CandidateGroup>): CandidateGroup => ({
  rule: 'burst',
  groupKey: '',
  firstAt: new Date(now.getTime() + from),
  expiresAt: new Date(now.getTime() + until),
  firstAlertStartsAt: new Date(now.getTime() + from),
  alertIds: [],
  customers: [],
  alertCount: 0,
  firingCount: 0,
  ...counts,
});

describe('triageAlerts', () => {
  it('sorts the groups to lock and says why the rest match nothing', () => {
    const t = triageAlerts(rules, [
      upserted('a', { service: 'postgres', region: 'us' }),
      upserted('b', { service: 'postgres', region: 'eu' }),
      upserted('c', { service: 'mail' }),
      upserted('d', { service: 'postgres', region: 'eu' }, { change: 'stale' }),
      upserted('e', { service: 'mail' }, { incidentId: 'inc-x' }),
    ]);
    expect(t.groups).toEqual([
      { rule: 'db', groupKey: 'region=eu' },
      { rule: 'db', groupKey: 'region=us' },
    ]);
    expect(t.unrouted.map((u) => [u.id, u.reason.kind])).toEqual([
      ['c', 'no_rule'],
      ['d', 'stale'],
    ]);
  });

  it('tells the caller which rule ran out of its CEL budget on which alert, and tries the next rule', () => {
    const budget = loadRuleSet(
      [
        {
          path: 'b.yaml',
          text: `rules:
  - name: nested
    match: 'labels.all(a, labels.all(b, labels[a] != "" || labels[b] == ""))'
    group_by: []
    window: 10m
    severity: SEV3
  - name: fallback
    match: 'has(labels.alertname)'
    group_by: []
    window: 10m
    severity: SEV3
`,
        },
      ],
      { componentIds: new Set() },
    );
    if (!budget.ok) throw new Error(JSON.stringify(budget.problems));
    const wide = Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`l${i}`, 'v']));
    const heard: [string, string][] = [];
    const t = triageAlerts(budget.rules, [upserted('w', { alertname: 'Wide', ...wide })], (rule, fp) =>
      heard.push([rule, fp]),
    );
    expect(heard).toEqual([['nested', 'fp-w']]);
    expect(t.matched.map((m) => m.match.rule.name)).toEqual(['fallback']);
  });
});

describe('planRouting and finishPlan', () => {
  it('opens one incident per group and links its alerts', () => {
    const w = finishPlan(
      plan([
        upserted('a', { service: 'postgres', region: 'eu' }),
        upserted('b', { service: 'postgres', region: 'eu' }),
      ]),
      new Map(),
    );
    expect(w.changes).toHaveLength(1);
    expect(w.changes[0]!.incident).toMatchObject({ alertCount: 2, rule: 'db', groupKey: 'region=eu' });
    expect(w.links.map((l) => l.alertId).sort()).toEqual(['a', 'b']);
    expect(w.unrouted).toEqual([]);
  });

  it('keeps alerts waiting below open_when, with the counts in the reason', () => {
    const w = finishPlan(
      plan([upserted('a', { service: 'api' }), upserted('b', { service: 'api' })]),
      new Map(),
    );
    expect(w.changes).toEqual([]);
    expect(w.putCandidates).toMatchObject([{ rule: 'burst', alertCount: 2, firingCount: 2 }]);
    expect(w.unrouted.map((u) => u.reason)).toMatchObject([
      { kind: 'waiting', rule: 'burst', alerts: 1 },
      { kind: 'waiting', rule: 'burst', alerts: 2 },
    ]);
  });

  it('an opened stored candidate adopts the waiting alerts the store lists, once each', () => {
    const stored = burstCandidate(-60_000, 540_000, { alertIds: ['w1'], alertCount: 2, firingCount: 2 });
    const p = plan(
      [
        upserted('new1', { service: 'api' }),
        // w2 waits already (beyond the sample) and is resent after the group opened: no double count.
        upserted('w2', { service: 'api' }, { change: 'repeat', waitingIn: groupId('burst', '') }),
      ],
      { candidates: new Map([[groupId('burst', ''), stored]]) },
    );
    expect(adoptingGroups(p)).toEqual([{ rule: 'burst', groupKey: '' }]);
    const w = finishPlan(p, new Map([[groupId('burst', ''), ['w1', 'w2']]]));
    expect(w.changes[0]!.incident).toMatchObject({ alertCount: 3, firingCount: 3 });
    expect(w.links.map((l) => l.alertId).sort()).toEqual(['new1', 'w1', 'w2']);
    const attached = w.changes[0]!.events.filter((e) => e.kind === 'alert.attached').map(
      (e) => e.data.alertId,
    );
    expect(attached.sort()).toEqual(['new1', 'w1', 'w2']);
    expect(w.deleteCandidates).toEqual([{ rule: 'burst', groupKey: '' }]);
    expect(w.unrouted).toEqual([]);
  });

  it('an expired stored candidate is released with its reason; the alert starts a new one', () => {
    const expired = burstCandidate(-3_600_000, -1, { alertIds: ['old'], alertCount: 1, firingCount: 1 });
    const w = finishPlan(
      plan([upserted('a', { service: 'api' })], { candidates: new Map([[groupId('burst', ''), expired]]) }),
      new Map(),
    );
    expect(w.release).toEqual([
      { rule: 'burst', groupKey: '', reason: 'open_when not met within 1h (rule burst)' },
    ]);
    expect(w.putCandidates).toMatchObject([{ alertIds: ['a'], alertCount: 1 }]);
    expect(w.deleteCandidates).toEqual([]);
  });

  it('a resolved alert with no incident says so', () => {
    const w = finishPlan(
      plan([
        upserted(
          'r',
          { service: 'postgres', region: 'eu' },
          {
            change: 'resolved',
            alert: {
              ...upserted('r', {}).alert,
              status: 'resolved',
              labels: { service: 'postgres', region: 'eu' },
            },
          },
        ),
      ]),
      new Map(),
    );
    expect(w.unrouted.map((u) => u.reason)).toEqual([{ kind: 'resolved', rule: 'db' }]);
  });
});
