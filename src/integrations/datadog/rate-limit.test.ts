import { describe, expect, it } from 'vitest';
import { rateLimitDelayMs } from './rate-limit.ts';

describe('rateLimitDelayMs', () => {
  it('prefers X-RateLimit-Reset seconds, in any header case', () => {
    expect(rateLimitDelayMs({ 'X-RateLimit-Reset': '37', 'X-RateLimit-Period': '60' })).toBe(37_000);
    expect(rateLimitDelayMs({ 'x-ratelimit-reset': '2.5' })).toBe(2500);
  });

  it('falls back to the period, then Retry-After', () => {
    expect(rateLimitDelayMs({ 'x-ratelimit-period': '10' })).toBe(10_000);
    expect(rateLimitDelayMs({ 'retry-after': '4' })).toBe(4000);
    expect(rateLimitDelayMs({ 'x-ratelimit-reset': 'soon', 'x-ratelimit-period': '10' })).toBe(10_000);
  });

  it('clamps to 1 s .. 1 h and gives null without usable headers', () => {
    expect(rateLimitDelayMs({ 'x-ratelimit-reset': '0' })).toBe(1000);
    expect(rateLimitDelayMs({ 'x-ratelimit-reset': '999999' })).toBe(3_600_000);
    expect(rateLimitDelayMs({ 'content-type': 'application/json' })).toBeNull();
    expect(rateLimitDelayMs({ 'x-ratelimit-reset': '-5' })).toBeNull();
  });
});
