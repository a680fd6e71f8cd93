import { describe, expect, it } from 'vitest';
import {
  countUnrouted,
  describeUnrouted,
  storedUnroutedReason,
  summarizeUnrouted,
  UNROUTED_LISTED,
  type Unrouted,
} from './unrouted.ts';

const until = new Date('2026-11-01T10:30:00Z');

describe('unrouted reasons', () => {
  it('read as sentences', () => {
    expect(describeUnrouted({ kind: 'no_rule' })).toBe('no rule matched');
    expect(describeUnrouted({ kind: 'resolved', rule: 'db' })).toBe('resolved, no open incident (rule "db")');
    expect(describeUnrouted({ kind: 'waiting', rule: 'X', alerts: 1, customers: 0, until })).toBe(
      'waiting in candidate group of rule "X" (open_when not yet true: 1 alert, 0 customers; until 2026-11-01T10:30:00.000Z)',
    );
    expect(describeUnrouted({ kind: 'no_rules' })).toBe('no rules loaded');
    expect(describeUnrouted({ kind: 'stale' })).toMatch(/older/);
  });

  it('keep the stored texts of the unrouted listing', () => {
    expect(storedUnroutedReason({ kind: 'no_rule' })).toBe('no rule matched');
    expect(storedUnroutedReason({ kind: 'waiting', rule: 'X', alerts: 2, customers: 1, until })).toBe(
      'waiting for open_when of rule X until 2026-11-01T10:30:00.000Z',
    );
    expect(storedUnroutedReason({ kind: 'stale' })).toBeNull();
  });

  it('list the first ones, count all, and count per kind', () => {
    const many: Unrouted[] = Array.from({ length: UNROUTED_LISTED + 20 }, (_, i) => ({
      fingerprint: `f${i}`,
      reason: i % 2 ? { kind: 'no_rule' } : { kind: 'resolved', rule: 'r' },
    }));
    const s = summarizeUnrouted(many);
    expect(s.unrouted).toHaveLength(UNROUTED_LISTED);
    expect(s.unrouted[1]).toEqual({ fingerprint: 'f1', reason: 'no rule matched' });
    expect(s.unrouted_count).toBe(UNROUTED_LISTED + 20);
    expect(countUnrouted(many)).toEqual({ no_rule: 60, resolved: 60 });
    expect(summarizeUnrouted([])).toEqual({ unrouted: [], unrouted_count: 0 });
  });
});
