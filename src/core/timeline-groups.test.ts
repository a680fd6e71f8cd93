import { describe, expect, it } from 'vitest';
import type { IncidentEventKind, TimelineEntry } from './timeline.ts';
import { burstLabel, groupTimeline } from './timeline-groups.ts';

const t0 = Date.parse('2026-11-01T10:00:00Z');
let next = 1;
const ev = (kind: IncidentEventKind, offsetMs: number): TimelineEntry =>
  ({
    id: next++,
    at: new Date(t0 + offsetMs),
    kind,
    actor: 'rule:x',
    visibility: 'internal',
    data: {},
  }) as TimelineEntry;

describe('groupTimeline', () => {
  it('collapses consecutive alert events within a minute of the first; others stay rows', () => {
    const rows = groupTimeline([
      ev('opened', 0),
      ...Array.from({ length: 37 }, (_, n) => ev('alert.attached', n * 1000)),
      ev('customer.added', 40_000),
      ev('alert.attached', 41_000),
      ev('note.added', 42_000),
    ]);
    expect(rows.map((r) => (r.type === 'burst' ? `burst:${r.events.length}` : r.event.kind))).toEqual([
      'opened',
      'burst:37',
      'customer.added',
      'alert.attached',
      'note.added',
    ]);
  });

  it('anchors a burst on its first event, so a steady trickle splits every minute', () => {
    const rows = groupTimeline(Array.from({ length: 10 }, (_, n) => ev('alert.firing', n * 20_000)));
    expect(rows.map((r) => (r.type === 'burst' ? r.events.length : 1))).toEqual([4, 4, 2]);
  });

  it('labels single-kind and mixed bursts', () => {
    expect(burstLabel({ attached: 37, firing: 0, resolved: 0 })).toBe('37 alerts attached');
    expect(burstLabel({ attached: 0, firing: 0, resolved: 1 })).toBe('1 alert resolved');
    expect(burstLabel({ attached: 1200, firing: 2, resolved: 3 })).toBe(
      '1,205 alert changes: 1,200 attached, 2 firing again, 3 resolved',
    );
  });
});
