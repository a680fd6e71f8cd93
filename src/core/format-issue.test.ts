import { describe, expect, it } from 'vitest';
import { formatIssuePath } from './format-issue.ts';

describe('formatIssuePath', () => {
  it('formats indexes, names and odd keys', () => {
    expect(formatIssuePath([])).toBe('body');
    expect(formatIssuePath(['alerts', 3, 'labels'])).toBe('alerts[3].labels');
    expect(formatIssuePath(['alerts', 0, 'labels', 'a b'])).toBe('alerts[0].labels["a b"]');
    expect(formatIssuePath([0])).toBe('[0]');
  });
});
