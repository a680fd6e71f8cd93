import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it.each([
    ['5m', 300_000],
    ['4h', 14_400_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['0', 0],
    ['120', 120_000],
    [45, 45_000],
  ] as const)('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '5 minutes', 'm5', '5x', '-1m'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeNull(),
  );

  it('formats back', () => expect(formatDuration(5_400_000)).toBe('1h30m'));
});
