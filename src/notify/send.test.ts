import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './send.ts';

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates; ignores garbage', () => {
    const now = Date.parse('2026-11-01T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 01 Nov 2026 10:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Sun, 01 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
