import { describe, expect, it } from 'vitest';
import { mergeMissingLabels, monitorLabels } from './monitor-labels.ts';

const monitor = { id: 1, name: 'x', overallState: 'Alert' };

describe('monitorLabels', () => {
  it('splits tags on the first colon, joins repeated keys, keeps valueless tags, maps priority', () => {
    expect(
      monitorLabels({
        ...monitor,
        tags: ['customer:acme', 'db:pg:main', 'team:a', 'team:b', 'critical', ' env:prod '],
        priority: 2,
      }),
    ).toEqual({ customer: 'acme', db: 'pg:main', team: 'a,b', critical: '', env: 'prod', priority: 'P2' });
  });

  it('ignores a priority outside 1..5', () => {
    expect(monitorLabels({ ...monitor, tags: [], priority: null })).toEqual({});
    expect(monitorLabels({ ...monitor, tags: [], priority: 7 })).toEqual({});
  });
});

describe('mergeMissingLabels', () => {
  it('adds only what the payload lacks', () => {
    const { labels, added } = mergeMissingLabels(
      { service: 'checkout', priority: 'P1' },
      { service: 'other', priority: 'P3', customer: 'acme' },
    );
    expect(labels).toEqual({ service: 'checkout', priority: 'P1', customer: 'acme' });
    expect(added).toEqual(['customer']);
  });

  it('returns the same object when nothing is missing, and handles __proto__ keys', () => {
    const same = { a: '1' };
    expect(mergeMissingLabels(same, { a: '2' }).labels).toBe(same);
    const merged = mergeMissingLabels({}, JSON.parse('{"__proto__":"x"}')).labels;
    expect(Object.keys(merged)).toEqual(['__proto__']);
  });
});
