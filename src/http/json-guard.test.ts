import { describe, expect, it } from 'vitest';
import { guardJson, MAX_JSON_DEPTH } from './json-guard.ts';

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
