import { describe, expect, it } from 'vitest';
import { type Incident, newIncident } from './incident.ts';
import {
  breachCustomerLabels,
  clockState,
  fireClock,
  reconcileClocks,
  type SlaClock,
  type SlaSettings,
  selectPolicy,
} from './sla.ts';

const m = 60_000;
const settings: SlaSettings = {
  customers: [
    { id: 'acme', tier: 'premium' },
    { id: 'initech', tier: 'standard' },
  ],
  default_tier: 'standard',
  sla_policies: {
    premium: { SEV1: { acknowledge: 5 * m, owner: 15 * m, update_every: 30 * m, resolve: 240 * m } },
    standard: {
      SEV1: { acknowledge: 15 * m, owner: 10 * m, update_every: 60 * m, resolve: 480 * m },
      SEV2: { acknowledge: 30 * m, owner: 60 * m, update_every: 120 * m, resolve: 1440 * m },
    },
  },
  sla_warning_at: 0.8,
};
const t0 = new Date('2026-11-01T10:00:00Z');
const at = (min: number) => new Date(t0.getTime() + min * m);

function incident(over: Partial<Incident> = {}): Incident {
  return newIncident({
    id: 'inc1',
    title: 't',
    severity: 'SEV1',
    customers: ['acme', 'initech'],
    openedAt: t0,
    ...over,
  });
}

/** Applies reconcile results to a clock list the way the store does. */
function apply(clocks: SlaClock[], changed: SlaClock[]): SlaClock[] {
  let next = 100 + clocks.length;
  const out = clocks.map((c) => changed.find((x) => x.id === c.id) ?? c);
  for (const c of changed) if (c.id === null) out.push({ ...c, id: next++ });
  return out;
}

describe('selectPolicy', () => {
  it('takes the strictest duration per target among the customers’ tiers', () => {
    const p = selectPolicy(settings, ['acme', 'initech'], 'SEV1')!;
    expect(p.acknowledge).toEqual({ ms: 5 * m, tier: 'premium' });
    expect(p.owner).toEqual({ ms: 10 * m, tier: 'standard' });
    expect(p.update).toEqual({ ms: 30 * m, tier: 'premium' });
  });
  it('uses default_tier for unknown customers and for none', () => {
    expect(selectPolicy(settings, ['nobody'], 'SEV2')!.acknowledge?.tier).toBe('standard');
    expect(selectPolicy(settings, [], 'SEV1')!.acknowledge?.ms).toBe(15 * m);
  });
  it('is null when no tier has a policy for the severity', () => {
    expect(selectPolicy(settings, ['acme'], 'SEV4')).toBeNull();
  });
});

describe('reconcileClocks', () => {
  const run = (i: Incident, clocks: SlaClock[], now: Date, updatePosted = false) =>
    reconcileClocks({
      incident: i,
      selection: selectPolicy(settings, i.customers, i.severity),
      warningAt: 0.8,
      clocks,
      now,
      updatePosted,
    });

  it('starts four clocks from the opening, warning at 80%', () => {
    const { changed, events } = run(incident(), [], t0);
    expect(events).toEqual([]);
    const ack = changed.find((c) => c.target === 'acknowledge')!;
    expect(ack.dueAt).toEqual(at(5));
    expect(ack.warnAt).toEqual(at(4));
    expect(changed.map((c) => c.target).sort()).toEqual(['acknowledge', 'owner', 'resolve', 'update']);
  });

  it('meets targets, restarts the update clock at the promised time, cancels the rest on resolve', () => {
    let clocks = apply([], run(incident(), [], t0).changed);
    const acked = incident({ state: 'acknowledged', acknowledgedAt: at(2) });
    let r = run(acked, clocks, at(2));
    expect(r.events.map((e) => [e.kind, e.data.target, e.data.late])).toEqual([
      ['sla.met', 'acknowledge', false],
    ]);
    clocks = apply(clocks, r.changed);
    const updated = { ...acked, nextUpdateDue: at(20) };
    r = run(updated, clocks, at(10), true);
    clocks = apply(clocks, r.changed);
    const running = clocks.filter((c) => c.target === 'update' && c.metAt === null)!;
    expect(running).toHaveLength(1);
    expect(running[0]!.startedAt).toEqual(at(10));
    expect(running[0]!.dueAt).toEqual(at(20));
    r = run({ ...updated, state: 'resolved', resolvedAt: at(30) }, clocks, at(30));
    clocks = apply(clocks, r.changed);
    expect(clocks.filter((c) => c.metAt === null && c.cancelledAt === null)).toEqual([]);
    expect(r.events.map((e) => e.data.target)).toEqual(['resolve']);
    expect(
      clocks
        .filter((c) => c.cancelledAt)
        .map((c) => c.target)
        .sort(),
    ).toEqual(['owner', 'update']);
  });

  it('moves due times when severity changes, but never undoes a breach', () => {
    let clocks = apply([], run(incident({ severity: 'SEV2', customers: ['initech'] }), [], t0).changed);
    clocks = clocks.map((c) => (c.target === 'owner' ? { ...c, breachedAt: at(60) } : c));
    const r = run(incident({ severity: 'SEV1', customers: ['initech'] }), clocks, at(61));
    expect(r.changed.find((c) => c.target === 'acknowledge')!.dueAt).toEqual(at(15));
    expect(r.changed.find((c) => c.target === 'owner')).toBeUndefined();
  });

  it('restarts clocks from now after a reopen', () => {
    let clocks = apply([], run(incident(), [], t0).changed);
    clocks = apply(clocks, run(incident({ state: 'resolved', resolvedAt: at(5) }), clocks, at(5)).changed);
    const r = run(incident(), clocks, at(100));
    expect(r.changed.every((c) => c.startedAt.getTime() === at(100).getTime())).toBe(true);
    expect(r.changed).toHaveLength(4);
  });
});

describe('fireClock', () => {
  const clock: SlaClock = {
    id: 1,
    incidentId: 'i',
    target: 'owner',
    tier: 'premium',
    startedAt: t0,
    dueAt: at(15),
    warnAt: at(12),
    metAt: null,
    breachedAt: null,
    warnedAt: null,
    cancelledAt: null,
  };
  it('warns once, then breaches once', () => {
    expect(fireClock(clock, at(11))).toBeNull();
    const warned = fireClock(clock, at(12))!;
    expect(warned.kind).toBe('sla.warning');
    expect(fireClock(warned.clock, at(13))).toBeNull();
    const breached = fireClock(warned.clock, at(15))!;
    expect(breached.kind).toBe('sla.breached');
    expect(clockState(breached.clock)).toBe('breached');
    expect(fireClock(breached.clock, at(16))).toBeNull();
  });
  it('breaches directly when the warning was missed', () => {
    expect(fireClock(clock, at(20))?.kind).toBe('sla.breached');
  });
});

it('labels breaches per customer, folding unknown ids into "other"', () => {
  expect(breachCustomerLabels(settings, ['acme', 'x', 'y'])).toEqual(['acme', 'other', 'other']);
  expect(breachCustomerLabels(settings, [])).toEqual(['none']);
});
