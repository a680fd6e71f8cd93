// Over 300 lines: unit tests of every correlation decision in core/correlate.ts, one describe per decision.
import { describe, expect, it } from 'vitest';
import { type CandidateGroup, expiredCandidateReason, isCandidateExpired } from './candidate.ts';
import { type CorrelateChange, type CorrelateInput, type CorrelateOutcome, correlate } from './correlate.ts';
import type { Incident } from './incident.ts';
import { autoResolve, autoResolveDue } from './rules/auto-resolve.ts';
import { loadRuleSet } from './rules/load.ts';
import { matchAlert } from './rules/match.ts';
import type { Rule } from './rules/types.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const min = (m: number) => new Date(T0 + m * 60_000);

function ruleFrom(yaml: string): Rule {
  const r = loadRuleSet([{ path: 'r.yaml', text: `rules:\n  - name: r\n${yaml}` }], {
    componentIds: new Set(['database', 'api']),
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.rules.rules[0]!;
}

const dbRule = ruleFrom(`    match: 'labels.service == "postgres"'
    group_by: [region]
    window: 30m
    severity: 'size(customers) >= 3 ? "SEV1" : "SEV2"'
    components: [database]
    component_status: major_outage
    title: 'Database outage in {{ region }}'
    resolve_after: 5m
    publish: auto
    public_message: 'We are investigating database problems in {{ region }}.'
`);

const burstRule = ruleFrom(`    match: 'labels.service == "api"'
    group_by: [cluster]
    window: 10m
    severity: SEV3
    title: '{{ alertname }} on {{ cluster }}'
    open_when: 'alerts >= 2'
`);

let ids = 0;
function input(
  over: Partial<CorrelateInput> & { labels?: Record<string, string>; at?: number },
): CorrelateInput {
  const rule = over.rule ?? dbRule;
  const labels = over.labels ?? { service: 'postgres', region: 'eu', customer: 'acme', alertname: 'PgDown' };
  const groupLabels = Object.fromEntries(rule.groupBy.map((l) => [l, labels[l] ?? '']));
  const status = over.change === 'resolved' ? 'resolved' : 'firing';
  return {
    now: min(over.at ?? 0),
    rule,
    groupKey: rule.groupBy.map((l) => `${l}=${labels[l] ?? ''}`).join(','),
    groupLabels,
    customer: labels[rule.customerLabel] ?? null,
    alert: { id: 'a1', fingerprint: 'fp1', status, startsAt: min(-2), labels },
    change: 'new' as CorrelateChange,
    incident: null,
    attached: false,
    candidate: null,
    newId: () => `inc-${++ids}`,
    ...over,
  };
}

function incidentOf(o: CorrelateOutcome) {
  if (o.kind !== 'incident') throw new Error(`expected an incident outcome, got ${o.kind}`);
  return o;
}

function candidateOf(o: CorrelateOutcome): CandidateGroup {
  if (o.kind !== 'candidate') throw new Error(`expected a candidate outcome, got ${o.kind}`);
  return o.candidate;
}

const opened = () => incidentOf(correlate(input({}))).incident;

describe('correlate: new incidents', () => {
  it('opens with severity, title, components from the rule and the opening events', () => {
    const o = incidentOf(correlate(input({})));
    expect(o.created).toBe(true);
    expect(o.attach).toEqual(['a1']);
    expect(o.incident).toMatchObject({
      title: 'Database outage in eu',
      severity: 'SEV2',
      state: 'open',
      status: 'investigating',
      rule: 'r',
      groupKey: 'region=eu',
      customers: ['acme'],
      components: ['database'],
      componentStatus: 'major_outage',
      alertCount: 1,
      firingCount: 1,
      openedAt: min(0),
    });
    expect(o.events.map((e) => e.kind)).toEqual([
      'opened',
      'alert.attached',
      'customer.added',
      'published',
      'update.posted',
    ]);
    expect(o.events.every((e) => e.actor === 'rule:r' && +e.at === +min(0))).toBe(true);
    expect(o.events[0]!.data.firstAlertAt).toBe(min(-2).toISOString());
  });

  it('publish auto posts the rendered public message as the first public update', () => {
    const o = incidentOf(correlate(input({})));
    expect(o.incident.published).toBe(true);
    const update = o.events.find((e) => e.kind === 'update.posted')!;
    expect(update.visibility).toBe('public');
    expect(update.data).toEqual({
      status: 'investigating',
      message: 'We are investigating database problems in eu.',
    });
    expect(o.events.filter((e) => e.visibility === 'public')).toHaveLength(1);
  });

  it('publish review keeps the incident internal', () => {
    const rule = ruleFrom(`    match: 'true'\n    title: 'x'\n`);
    const o = incidentOf(correlate(input({ rule })));
    expect(o.incident.published).toBe(false);
    expect(o.events.map((e) => e.kind)).toEqual(['opened', 'alert.attached', 'customer.added']);
    expect(o.events.every((e) => e.visibility === 'internal')).toBe(true);
  });

  it('a resolved alert with no incident and no candidate does nothing; neither do resends', () => {
    expect(correlate(input({ change: 'resolved' }))).toEqual({ kind: 'none' });
    const incident = opened();
    expect(correlate(input({ change: 'repeat', incident, attached: true }))).toEqual({ kind: 'none' });
    expect(correlate(input({ change: 'new', incident, attached: true }))).toEqual({ kind: 'none' });
    // An older state delivered late is ignored.
    expect(correlate(input({ change: 'stale', incident, attached: false }))).toEqual({ kind: 'none' });
  });
});

describe('correlate: joining an open incident', () => {
  it('another alert of the group joins: counts, customer added with a reason', () => {
    const incident = opened();
    const o = incidentOf(
      correlate(
        input({
          at: 3,
          incident,
          alert: { id: 'a2', fingerprint: 'fp2', status: 'firing', startsAt: min(3), labels: {} },
          customer: 'globex',
        }),
      ),
    );
    expect(o.created).toBe(false);
    expect(o.incident.id).toBe(incident.id);
    expect(o.attach).toEqual(['a2']);
    expect(o.incident).toMatchObject({
      alertCount: 2,
      firingCount: 2,
      customers: ['acme', 'globex'],
      lastAlertAt: min(3),
    });
    expect(o.events.map((e) => e.kind)).toEqual(['alert.attached', 'customer.added']);
    expect(o.events[1]!.data).toEqual({ customer: 'globex', reason: 'alert fp2 has customer=globex' });
  });

  it('a known customer is not added twice', () => {
    const incident = opened();
    const o = incidentOf(
      correlate(
        input({
          incident,
          alert: { id: 'a2', fingerprint: 'f', status: 'firing', startsAt: min(0), labels: {} },
        }),
      ),
    );
    expect(o.incident.customers).toEqual(['acme']);
    expect(o.events.map((e) => e.kind)).toEqual(['alert.attached']);
  });

  it('severity rises by the CEL expression as customers join, with the reason', () => {
    let incident = opened();
    for (const [i, customer] of ['globex', 'initech'].entries()) {
      const alert = {
        id: `b${i}`,
        fingerprint: `f${i}`,
        status: 'firing' as const,
        startsAt: min(1),
        labels: {},
      };
      const o = incidentOf(correlate(input({ at: i + 1, incident, alert, customer })));
      incident = o.incident;
      if (i === 1) {
        expect(o.events.at(-1)).toMatchObject({
          kind: 'severity.changed',
          actor: 'rule:r',
          visibility: 'internal',
          data: { from: 'SEV2', to: 'SEV1', reason: 'SEV2 -> SEV1: 3 customers affected (rule r)' },
        });
      }
    }
    expect(incident.severity).toBe('SEV1');
  });

  it('never lowers a severity automatically', () => {
    const incident: Incident = { ...opened(), severity: 'SEV1' };
    const alert = { id: 'a2', fingerprint: 'f', status: 'firing' as const, startsAt: min(0), labels: {} };
    const o = incidentOf(correlate(input({ incident, alert })));
    expect(o.incident.severity).toBe('SEV1');
    expect(o.events.some((e) => e.kind === 'severity.changed')).toBe(false);
  });

  it('alerts of another group do not see this incident (grouping by labels via matchAlert)', () => {
    const set = loadRuleSet(
      [
        {
          path: 'r.yaml',
          text: `rules:\n  - name: db\n    match: 'labels.service == "postgres"'\n    group_by: [region]\n`,
        },
      ],
      { componentIds: new Set() },
    );
    if (!set.ok) throw new Error('rules');
    const base = {
      source: 'am',
      fingerprint: 'x',
      status: 'firing' as const,
      annotations: {},
      title: '',
      raw: null,
    };
    const more = { startsAt: min(0), endsAt: null, generatorUrl: null };
    const eu1 = matchAlert(set.rules, {
      ...base,
      ...more,
      labels: { service: 'postgres', region: 'eu', pod: '1' },
    })!;
    const eu2 = matchAlert(set.rules, {
      ...base,
      ...more,
      labels: { service: 'postgres', region: 'eu', pod: '2' },
    })!;
    const us = matchAlert(set.rules, { ...base, ...more, labels: { service: 'postgres', region: 'us' } })!;
    expect(eu1.groupKey).toBe(eu2.groupKey);
    expect(us.groupKey).not.toBe(eu1.groupKey);
  });
});

describe('correlate: resolving', () => {
  const resolvedAlert = {
    id: 'a1',
    fingerprint: 'fp1',
    status: 'resolved' as const,
    startsAt: min(-2),
    labels: {},
  };

  it('the last resolved alert schedules auto-resolve after resolve_after; the rule resolves it then', () => {
    const incident = opened();
    const o = incidentOf(
      correlate(input({ at: 10, incident, attached: true, change: 'resolved', alert: resolvedAlert })),
    );
    expect(o.incident).toMatchObject({
      firingCount: 0,
      lastResolvedAlertAt: min(10),
      autoResolveAt: min(15),
      state: 'open',
    });
    expect(o.events.map((e) => [e.kind, e.data.autoResolveAt])).toEqual([
      ['alert.resolved', min(15).toISOString()],
    ]);

    expect(autoResolveDue(o.incident, min(14))).toBe(false);
    expect(autoResolveDue(o.incident, min(15))).toBe(true);
    const r = autoResolve(o.incident, min(15));
    expect(r.incident).toMatchObject({
      state: 'resolved',
      status: 'resolved',
      resolvedAt: min(15),
      autoResolveAt: null,
    });
    expect(r.events.map((e) => [e.kind, e.actor, e.visibility])).toEqual([
      ['resolved', 'rule:r', 'internal'],
      ['update.posted', 'rule:r', 'public'],
    ]);
    expect(r.events[0]!.data.reason).toBe('all alerts resolved for 5m (resolve_after)');
  });

  it('a refiring alert cancels the pending auto-resolve', () => {
    const resolved = incidentOf(
      correlate(
        input({ at: 10, incident: opened(), attached: true, change: 'resolved', alert: resolvedAlert }),
      ),
    ).incident;
    const o = incidentOf(
      correlate(input({ at: 12, incident: resolved, attached: true, change: 'refiring' })),
    );
    expect(o.incident).toMatchObject({
      firingCount: 1,
      autoResolveAt: null,
      lastResolvedAlertAt: null,
      alertCount: 1,
    });
    expect(o.attach).toEqual([]);
    expect(o.events.map((e) => e.kind)).toEqual(['alert.firing']);
    expect(autoResolveDue(o.incident, min(60))).toBe(false);
  });

  it('resolve_after 0 leaves resolution to a human', () => {
    const rule = ruleFrom(`    match: 'true'\n    resolve_after: 0\n`);
    const incident = incidentOf(correlate(input({ rule }))).incident;
    const o = incidentOf(
      correlate(input({ rule, at: 10, incident, attached: true, change: 'resolved', alert: resolvedAlert })),
    );
    expect(o.incident.autoResolveAt).toBeNull();
    expect(autoResolveDue(o.incident, min(1000))).toBe(false);
  });

  it('one of two alerts resolving keeps the incident firing', () => {
    const incident = { ...opened(), firingCount: 2, alertCount: 2 };
    const o = incidentOf(
      correlate(input({ at: 10, incident, attached: true, change: 'resolved', alert: resolvedAlert })),
    );
    expect(o.incident).toMatchObject({ firingCount: 1, autoResolveAt: null });
  });
});

describe('correlate: flapping', () => {
  const resolvedIncident = (): Incident => ({
    ...opened(),
    state: 'resolved',
    status: 'resolved',
    firingCount: 0,
    resolvedAt: min(20),
  });

  it('an alert firing within the window of the resolution reopens the same incident', () => {
    const incident = resolvedIncident();
    const o = incidentOf(correlate(input({ at: 49, incident, attached: true, change: 'refiring' })));
    expect(o.created).toBe(false);
    expect(o.incident).toMatchObject({
      id: incident.id,
      state: 'open',
      status: 'investigating',
      flapCount: 1,
      resolvedAt: null,
    });
    expect(o.incident.firingCount).toBe(1);
    expect(o.events.map((e) => e.kind)).toEqual(['reopened', 'alert.firing']);
    expect(o.events[0]!.data).toMatchObject({ reason: 'flap', flapCount: 1 });
  });

  it('a new alert of the group within the window also reopens, and is attached', () => {
    const alert = { id: 'a9', fingerprint: 'f9', status: 'firing' as const, startsAt: min(30), labels: {} };
    const o = incidentOf(correlate(input({ at: 30, incident: resolvedIncident(), alert })));
    expect(o.incident.state).toBe('open');
    expect(o.attach).toEqual(['a9']);
    expect(o.incident.alertCount).toBe(2);
  });

  it('after the window a new incident opens', () => {
    const incident = resolvedIncident();
    const o = incidentOf(correlate(input({ at: 51, incident, attached: true, change: 'refiring' })));
    expect(o.created).toBe(true);
    expect(o.incident.id).not.toBe(incident.id);
    expect(o.incident.flapCount).toBe(0);
  });

  it('resends of a firing alert do not reopen a hand-resolved incident', () => {
    const incident = { ...resolvedIncident(), firingCount: 1 };
    expect(correlate(input({ at: 25, incident, attached: true, change: 'repeat' }))).toEqual({
      kind: 'none',
    });
  });
});

describe('correlate: open_when candidates', () => {
  const apiAlert = (id: string, at: number, customer?: string) => ({
    id,
    fingerprint: `f-${id}`,
    status: 'firing' as const,
    startsAt: min(at),
    labels: { service: 'api', cluster: 'prod', alertname: 'Api5xx', ...(customer ? { customer } : {}) },
  });
  const apiInput = (id: string, at: number, candidate: CandidateGroup | null, customer?: string) =>
    input({
      rule: burstRule,
      at,
      labels: apiAlert(id, at, customer).labels,
      alert: apiAlert(id, at, customer),
      candidate,
    });

  it('waits below the threshold and opens with all alerts of the group when it holds', () => {
    const c = candidateOf(correlate(apiInput('x1', 0, null, 'acme')));
    expect(c).toMatchObject({
      rule: 'r',
      groupKey: 'cluster=prod',
      firstAt: min(0),
      expiresAt: min(10),
      alertIds: ['x1'],
      firingCount: 1,
      customers: ['acme'],
      alertCount: 1,
    });
    const o = incidentOf(correlate(apiInput('x2', 4, c)));
    expect(o.created).toBe(true);
    expect(o.candidateConsumed).toBe(true);
    expect(o.attach).toEqual(['x1', 'x2']);
    expect(o.incident).toMatchObject({
      title: 'Api5xx on prod',
      severity: 'SEV3',
      alertCount: 2,
      firingCount: 2,
      customers: ['acme'],
      openedAt: min(4),
      published: false,
      componentStatus: null,
    });
    expect(o.events.filter((e) => e.kind === 'alert.attached')).toHaveLength(2);
    expect(o.events[0]!.data).toMatchObject({
      firstAlertAt: min(0).toISOString(),
      groupSince: min(0).toISOString(),
    });
  });

  it('a resend of a waiting alert does not count twice', () => {
    const c = candidateOf(correlate(apiInput('x1', 0, null)));
    expect(correlate({ ...apiInput('x1', 1, c), change: 'repeat' })).toEqual({ kind: 'none' });
  });

  it('a waiting alert that resolves stays counted but no longer firing', () => {
    const c = candidateOf(correlate(apiInput('x1', 0, null)));
    const r = candidateOf(
      correlate({
        ...apiInput('x1', 2, c),
        change: 'resolved',
        alert: { ...apiAlert('x1', 0), status: 'resolved' },
      }),
    );
    expect(r).toMatchObject({ alertIds: ['x1'], firingCount: 0, alertCount: 1 });
    const o = incidentOf(correlate(apiInput('x2', 3, r)));
    expect(o.incident).toMatchObject({ alertCount: 2, firingCount: 1 });
  });

  it('a candidate dies at firstAt + window; the next alert starts a fresh one', () => {
    const c = candidateOf(correlate(apiInput('x1', 0, null)));
    expect(isCandidateExpired(c, min(9))).toBe(false);
    expect(expiredCandidateReason(c, min(9))).toBeNull();
    expect(isCandidateExpired(c, min(10))).toBe(true);
    expect(expiredCandidateReason(c, min(10))).toBe('open_when not met within 10m (rule r)');
    const fresh = candidateOf(correlate(apiInput('x2', 10, c)));
    expect(fresh).toMatchObject({ firstAt: min(10), expiresAt: min(20), alertIds: ['x2'], alertCount: 1 });
  });

  it('thresholds on customers work the same way', () => {
    const rule = ruleFrom(`    match: 'true'\n    open_when: 'size(customers) >= 2'\n`);
    const alert = (id: string) => ({
      id,
      fingerprint: id,
      status: 'firing' as const,
      startsAt: min(0),
      labels: {},
    });
    const c1 = candidateOf(correlate(input({ rule, alert: alert('1'), customer: 'acme' })));
    const c2 = candidateOf(correlate(input({ rule, alert: alert('2'), customer: 'acme', candidate: c1 })));
    expect(c2.alertCount).toBe(2);
    const o = incidentOf(correlate(input({ rule, alert: alert('3'), customer: 'globex', candidate: c2 })));
    expect(o.incident.customers).toEqual(['acme', 'globex']);
    expect(o.events.filter((e) => e.kind === 'customer.added')).toHaveLength(2);
  });
});
