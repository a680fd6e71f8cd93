import { describe, expect, it } from 'vitest';
import { parseCatalog } from './catalog.ts';

describe('catalog pagerduty_routing_keys', () => {
  it('defaults to none, and labels to {}', () => {
    expect(parseCatalog({}, 'c.yaml').pagerduty_routing_keys).toEqual([]);
    expect(
      parseCatalog({ pagerduty_routing_keys: [{ key: 'c0ffee0123456789abcdef0123456789' }] }, 'c.yaml')
        .pagerduty_routing_keys,
    ).toEqual([{ key: 'c0ffee0123456789abcdef0123456789', labels: {} }]);
  });

  it('reports short keys, duplicates, non-string labels and unknown keys with their path', () => {
    const problems = (() => {
      try {
        parseCatalog(
          {
            pagerduty_routing_keys: [
              { key: 'short', labels: { team: 'db' } },
              { key: 'same-key-twice', labels: { team: 1 } },
              { key: 'same-key-twice', lables: {} },
            ],
          },
          'c.yaml',
        );
        return [];
      } catch (err) {
        return (err as Error).message.split('\n');
      }
    })();
    expect(problems).toEqual(
      expect.arrayContaining([
        'c.yaml: pagerduty_routing_keys[0].key: routing keys need at least 8 characters',
        'c.yaml: pagerduty_routing_keys[2].lables: unknown key',
      ]),
    );
    expect(problems.some((p) => p.startsWith('c.yaml: pagerduty_routing_keys[1].labels.team: '))).toBe(true);
  });

  it('refuses the same key twice', () => {
    expect(() =>
      parseCatalog(
        { pagerduty_routing_keys: [{ key: 'same-key-twice' }, { key: 'same-key-twice' }] },
        'c.yaml',
      ),
    ).toThrow('c.yaml: pagerduty_routing_keys: duplicate key');
  });
});
