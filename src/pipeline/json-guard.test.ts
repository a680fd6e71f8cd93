import { describe, expect, it } from 'vitest';
import { guardJson, MAX_JSON_DEPTH, outOfRangeDate } from './json-guard.ts';

const nested = (levels: number) => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

describe('guardJson', () => {
  it('passes ordinary bodies unchanged', () => {
    const body = { alerts: [{ labels: { a: 'b', emoji: '🔥' }, n: 1 }], ok: true, none: null };
    expect(guardJson(structuredClone(body))).toEqual({ ok: true, value: body });
  });

  it('refuses nesting deeper than the limit, without overflowing the stack', () => {
    expect(guardJson(nested(MAX_JSON_DEPTH)).ok).toBe(true);
    expect(guardJson(nested(MAX_JSON_DEPTH + 1))).toEqual({
      ok: false,
      error: `body: nested deeper than ${MAX_JSON_DEPTH} levels`,
    });
    expect(guardJson({ x: nested(100_000) }).ok).toBe(false);
  });

  it('replaces NUL and lone surrogates, in values and keys, with U+FFFD', () => {
    const body = JSON.parse(
      '{"t":"a\\u0000b","l":["\\ud800x","ok\\ud83d\\udd25"],"k\\udc00":{"y":"\\udfff"}}',
    );
    expect(guardJson(body)).toEqual({
      ok: true,
      value: { t: 'a\ufffdb', l: ['\ufffdx', 'ok🔥'], 'k\ufffd': { y: '\ufffd' } },
    });
    expect(guardJson('\u0000')).toEqual({ ok: true, value: '\ufffd' });
  });
});

describe('guardJson on many strings', () => {
  it('cleans every dirty string, not every other one', () => {
    const body = Array.from({ length: 10 }, () => 'x\u0000');
    expect(guardJson(body)).toEqual({ ok: true, value: Array.from({ length: 10 }, () => 'x\ufffd') });
  });
});

describe('outOfRangeDate', () => {
  const at = (iso: string) => new Date(iso);
  it('accepts years 1 to 9999 and a missing end', () => {
    expect(
      outOfRangeDate([
        { startsAt: at('0001-01-01T00:00:00Z'), endsAt: null },
        { startsAt: at('2026-11-23T00:00:00Z'), endsAt: at('9999-12-31T23:59:59Z') },
      ]),
    ).toBeNull();
  });

  it('names the first date PostgreSQL would refuse', () => {
    const far = new Date(8.9e14);
    expect(outOfRangeDate([{ startsAt: at('2026-11-23T00:00:00Z'), endsAt: far }])).toBe(
      `alerts[0].endsAt: date out of range (${far.toISOString()})`,
    );
    expect(outOfRangeDate([{ startsAt: new Date(Number.NaN), endsAt: null }])).toBe(
      'alerts[0].startsAt: date out of range (invalid)',
    );
  });
});
