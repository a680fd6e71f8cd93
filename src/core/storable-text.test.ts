import { describe, expect, it } from 'vitest';
import { publicText, storableText } from './storable-text.ts';

describe('storableText', () => {
  it('replaces NUL and lone surrogates, keeps pairs', () => {
    expect(storableText('a\u0000b\ud800c😀')).toBe('a\ufffdb\ufffdc😀');
  });
});

describe('publicText', () => {
  it('strips bidi controls, direction marks and other invisible format characters', () => {
    // "Trojan Source": U+202E reverses what follows.
    expect(publicText('Invoice \u202Egnp.exe')).toBe('Invoice gnp.exe');
    for (const c of [
      '\u202a',
      '\u202b',
      '\u202c',
      '\u202d',
      '\u202e', // embeddings, pop, overrides
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069', // isolates
      '\u200e',
      '\u200f',
      '\u061c', // marks
      '\u200b',
      '\u2060',
      '\ufeff',
      '\u00ad',
      '\u2062', // zero-width space, word joiner, BOM, soft hyphen, invisible times
      '\u{e0041}',
      '\u{e007f}', // tag characters
      '\u3164',
      '\u115f',
      '\uffa0', // blank fillers
      '\u0007',
      '\u001b',
      '\u0085',
      '\u007f', // controls
    ]) {
      expect(publicText(`Data${c}base outage`), JSON.stringify(c)).toBe('Database outage');
    }
  });

  it('keeps ordinary text of every script, line breaks, tabs, joiners and emoji', () => {
    for (const text of [
      'Database outage in eu-west-1',
      'انقطاع قاعدة البيانات',
      'מסד הנתונים אינו זמין',
      'می‌خواهم', // ZWNJ
      '👨‍👩‍👧 family', // ZWJ
      'line one\nline two\r\n\tindented',
      'Störung – 数据库',
    ]) {
      expect(publicText(text)).toBe(text);
    }
  });

  it('is storable too', () => {
    expect(publicText('a\u0000\u202eb\udc00c\ud800')).toBe('abc');
    expect(publicText('😀\ud83d')).toBe('😀');
  });
});
