import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NormalizedAlert } from './alert.ts';
import { decideAlertChange, type StoredAlertState } from './dedup.ts';

const at = (min: number) => new Date(Date.UTC(2026, 10, 1, 10, min));
const firing = (start: number): NormalizedAlert => ({
  source: 'alertmanager',
  fingerprint: 'f',
  status: 'firing',
  labels: {},
  annotations: {},
  title: 't',
  startsAt: at(start),
  endsAt: null,
  generatorUrl: null,
  raw: {},
});
const resolved = (start: number, end: number): NormalizedAlert => ({
  ...firing(start),
  status: 'resolved',
  endsAt: at(end),
});

function replay(deliveries: NormalizedAlert[]): StoredAlertState | null {
  let state: StoredAlertState | null = null;
  for (const d of deliveries) state = decideAlertChange(state, d).next;
  return state;
}

describe('decideAlertChange', () => {
  it('classifies the life of an alert', () => {
    const s1 = decideAlertChange(null, firing(0));
    expect(s1.change).toBe('new');
    expect(decideAlertChange(s1.next, firing(0)).change).toBe('repeat');
    const s2 = decideAlertChange(s1.next, resolved(0, 5));
    expect(s2.change).toBe('resolved');
    expect(decideAlertChange(s2.next, resolved(0, 5)).change).toBe('repeat');
    expect(decideAlertChange(s2.next, firing(0)).change).toBe('stale');
    expect(decideAlertChange(s2.next, firing(10)).change).toBe('refiring');
  });

  it('ignores a late resolution of an earlier occurrence', () => {
    const current = { status: 'firing', startsAt: at(10), endsAt: null } as const;
    expect(decideAlertChange(current, resolved(0, 5)).change).toBe('stale');
  });

  it('any delivery order, with duplicates, ends in the state of the in-order delivery', () => {
    // Occurrences: fire at 0, resolve at 5, fire at 10, resolve at 15, fire at 20 …
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.nat(), { minLength: 0, maxLength: 12 }),
        fc.infiniteStream(fc.nat()),
        (steps, dupes, order) => {
          const inOrder: NormalizedAlert[] = [];
          for (let i = 0; i < steps; i++) {
            const start = Math.floor(i / 2) * 10;
            inOrder.push(i % 2 === 0 ? firing(start) : resolved(start, start + 5));
          }
          const deliveries = [...inOrder, ...dupes.map((d) => inOrder[d % inOrder.length]!)];
          const it = order[Symbol.iterator]();
          for (let i = deliveries.length - 1; i > 0; i--) {
            const j = it.next().value! % (i + 1);
            [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
          }
          expect(replay(deliveries)).toEqual(replay(inOrder));
        },
      ),
      { numRuns: 500 },
    );
  });
});
