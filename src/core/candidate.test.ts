import { describe, expect, it } from 'vitest';
import {
  adoptWaitingAlerts,
  CANDIDATE_CUSTOMERS,
  CANDIDATE_SAMPLE,
  type CandidateGroup,
  joinCandidate,
  resolveInCandidate,
} from './candidate.ts';
import { correlate } from './correlate.ts';
import { loadRuleSet } from './rules/load.ts';

const at = (m: number) => new Date(Date.UTC(2026, 2, 1, 10, m));
const empty: CandidateGroup = {
  rule: 'r',
  groupKey: 'g',
  firstAt: at(0),
  expiresAt: at(30),
  firstAlertStartsAt: at(0),
  alertIds: [],
  customers: [],
  alertCount: 0,
  firingCount: 0,
};

function grow(n: number, customer: (i: number) => string | null = () => null): CandidateGroup {
  let g = empty;
  for (let i = 0; i < n; i++) g = joinCandidate(g, { id: `a${i}`, startsAt: at(0) }, customer(i), false);
  return g;
}

describe('candidate groups keep counts and bounded samples', () => {
  it('counts every alert and keeps only the first ids', () => {
    const g = grow(CANDIDATE_SAMPLE + 50);
    expect(g.alertCount).toBe(CANDIDATE_SAMPLE + 50);
    expect(g.firingCount).toBe(CANDIDATE_SAMPLE + 50);
    expect(g.alertIds).toHaveLength(CANDIDATE_SAMPLE);
    expect(g.alertIds[0]).toBe('a0');
  });

  it('keeps distinct customers up to the bound, then stays at it', () => {
    const g = grow(CANDIDATE_CUSTOMERS + 10, (i) => `c${i % (CANDIDATE_CUSTOMERS + 5)}`);
    expect(g.customers).toHaveLength(CANDIDATE_CUSTOMERS);
    expect(new Set(g.customers).size).toBe(CANDIDATE_CUSTOMERS);
    expect(grow(5, (i) => `c${i % 2}`).customers).toEqual(['c0', 'c1']);
  });

  it('a waiting alert firing again moves the firing count only; resolving lowers it, never below 0', () => {
    const g = grow(3);
    const resolved = resolveInCandidate(g);
    expect(resolved).toMatchObject({ alertCount: 3, firingCount: 2 });
    const again = joinCandidate(resolved, { id: 'a1', startsAt: at(0) }, null, true);
    expect(again).toMatchObject({ alertCount: 3, firingCount: 3, alertIds: ['a0', 'a1', 'a2'] });
    expect(resolveInCandidate({ ...g, firingCount: 0 }).firingCount).toBe(0);
  });

  it('earliest startsAt wins', () => {
    const g = joinCandidate(grow(1), { id: 'x', startsAt: at(-5) }, null, false);
    expect(g.firstAlertStartsAt).toEqual(at(-5));
  });
});

describe('adoptWaitingAlerts', () => {
  const ev = (kind: string, data: Record<string, unknown> = {}) => ({ kind, data, at: at(1) });
  it('places the rest of the waiting alerts after the opening attach events, skipping known ones', () => {
    const events = [ev('opened'), ev('alert.attached', { alertId: 'a0' }), ev('customer.added')];
    const { events: out, adopted } = adoptWaitingAlerts(events, new Set(['a0']), ['a0', 'w1', 'w2', 'w1']);
    expect(adopted).toEqual(['w1', 'w2']);
    expect(out.map((e) => [e.kind, e.data.alertId])).toEqual([
      ['opened', undefined],
      ['alert.attached', 'a0'],
      ['alert.attached', 'w1'],
      ['alert.attached', 'w2'],
      ['customer.added', undefined],
    ]);
    expect(out[2]!.at).toEqual(at(1));
  });
  it('changes nothing without an opening or without new ids', () => {
    const events = [ev('alert.attached', { alertId: 'a0' })];
    expect(adoptWaitingAlerts(events, new Set(), ['w1'])).toEqual({ events, adopted: [] });
    const opened = [ev('opened')];
    expect(adoptWaitingAlerts(opened, new Set(['w1']), ['w1']).adopted).toEqual([]);
  });
});

describe('correlate with a candidate past its sample', () => {
  const loaded = loadRuleSet(
    [
      {
        path: 'r.yaml',
        text: "rules:\n  - name: r\n    match: 'true'\n    group_by: []\n    window: 30m\n    severity: SEV3\n    open_when: 'alerts >= 500'\n",
      },
    ],
    { componentIds: new Set() },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const rule = loaded.rules.rules[0]!;
  const base = {
    now: at(5),
    rule,
    groupKey: '',
    groupLabels: {},
    customer: null,
    incident: null,
    attached: false,
    newId: () => 'inc-1',
  };
  const alert = (id: string) => ({
    id,
    fingerprint: id,
    status: 'firing' as const,
    startsAt: at(0),
    labels: {},
  });
  const full = { ...grow(CANDIDATE_SAMPLE + 10), rule: 'r', groupKey: '' };

  it('a resend of a waiting alert beyond the sample does not count twice (the store says it waits)', () => {
    const input = { ...base, alert: alert('a105'), change: 'repeat' as const, candidate: full };
    expect(correlate({ ...input, waiting: true })).toEqual({ kind: 'none' });
    expect(correlate(input)).toMatchObject({
      kind: 'candidate',
      candidate: { alertCount: CANDIDATE_SAMPLE + 11 },
    });
  });

  it('opens with the full count, attaching the sample and the trigger (the caller adopts the rest)', () => {
    const ready = { ...full, alertCount: 499, firingCount: 499 };
    const o = correlate({ ...base, alert: alert('last'), change: 'new', candidate: ready });
    if (o.kind !== 'incident') throw new Error(o.kind);
    expect(o.incident).toMatchObject({ alertCount: 500, firingCount: 500 });
    expect(o.attach).toHaveLength(CANDIDATE_SAMPLE + 1);
    expect(o.attach.at(-1)).toBe('last');
    expect(o.incident.alertCount).toBeGreaterThan(o.attach.length);
  });
});
