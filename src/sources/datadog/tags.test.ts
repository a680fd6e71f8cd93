import { describe, expect, it } from 'vitest';
import { normalizeScope } from './fingerprint.ts';
import { parseTitlePrefix } from './state.ts';
import { parseTags, tagsToLabels } from './tags.ts';

const labels = (value: unknown) => tagsToLabels(parseTags(value));

describe('datadog tags', () => {
  it('splits on the first colon only', () => {
    expect(labels('database_id:keephq-sandbox:keep,monitor')).toEqual({
      database_id: 'keephq-sandbox:keep',
      monitor: '',
    });
    expect(labels('url:https://x.example.com:8443/a')).toEqual({ url: 'https://x.example.com:8443/a' });
  });

  it('trims items, keys and values (the doc example has spaces)', () => {
    expect(labels(' monitor, name:myService , role : computing-node ')).toEqual({
      monitor: '',
      name: 'myService',
      role: 'computing-node',
    });
  });

  it('joins repeated keys with "," and drops duplicates', () => {
    expect(
      labels('security-group:sg-59a3503c,security-group:sg-cb8e7dae,security-group:sg-59a3503c'),
    ).toEqual({
      'security-group': 'sg-59a3503c,sg-cb8e7dae',
    });
  });

  it('a valueless tag next to valued ones of the same key keeps only the values', () => {
    expect(labels('env,env:prod')).toEqual({ env: 'prod' });
  });

  it('skips empty items, empty keys, unrendered variables and non-strings', () => {
    expect(labels(',, :orphan,$TAGS,')).toEqual({});
    expect(labels('$TAGS')).toEqual({});
    expect(labels(undefined)).toEqual({});
    expect(labels(12)).toEqual({});
    expect(labels(['a:1', null, { b: 2 }, 'c'])).toEqual({ a: '1', c: '' });
  });

  it('keeps a __proto__ tag as a plain own label', () => {
    const result = labels('__proto__:x,a:1');
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['__proto__', 'a']);
  });
});

describe('datadog scope normalisation', () => {
  it('is order- and space-insensitive and ignores *', () => {
    expect(normalizeScope('host:a, env:prod')).toBe('env:prod,host:a');
    expect(normalizeScope('*')).toBe('');
    expect(normalizeScope(undefined)).toBe('');
  });
});

describe('datadog title prefix', () => {
  it('reads state, scope, priority and test markers', () => {
    expect(parseTitlePrefix('[Triggered on {host:ip-012345}] Host is Down')).toEqual({
      status: 'firing',
      scope: 'host:ip-012345',
      test: false,
      rest: 'Host is Down',
    });
    expect(parseTitlePrefix('[P2] [Recovered] Unauthorized')).toEqual({
      status: 'resolved',
      priority: 'P2',
      test: false,
      rest: 'Unauthorized',
    });
    expect(parseTitlePrefix('[Re-No Data on {a:b,c:d}] X').status).toBe('firing');
    expect(parseTitlePrefix('[prod] [Triggered] X')).toEqual({ test: false, rest: '[prod] [Triggered] X' });
  });
});

describe('datadog tags at scale', () => {
  it('de-duplicates 100,000 values of one key in linear time (quadratic: 35 s; now well under a second)', () => {
    const tags = Array.from({ length: 100_000 }, (_, i) => `k:v${i % 50_000}`);
    const started = performance.now();
    expect(labels(tags).k!.split(',')).toHaveLength(50_000);
    // A bound a busy CI machine meets with room to spare, and the quadratic version misses by far.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(Object.keys(labels(Array.from({ length: 10_000 }, (_, i) => `k${i}:v`)))).toHaveLength(10_000);
  });

  it('reads 200,000 tags from a string without overflowing the stack', () => {
    const text = Array.from({ length: 200_000 }, (_, i) => `k${i % 10}:v`).join(',');
    expect(Object.keys(labels(text))).toHaveLength(10);
  });

  it('stops one key past maxKeys, from a list or a string', () => {
    const many = Array.from({ length: 50_000 }, (_, i) => `k${i}:v`);
    expect(parseTags(many, 10).size).toBe(11);
    expect(parseTags(many.join(','), 10).size).toBe(11);
    expect(parseTags('a:1,a:2,b', 10).size).toBe(2);
  });
});
