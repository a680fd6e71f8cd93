/**
 * PostgreSQL text and jsonb refuse NUL and lone UTF-16 surrogates (JSON allows `\u0000` and `\ud800`), so a
 * string from a sender, or an error message quoting one, is stored with U+FFFD in their place.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must be found.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

export function storableText(s: string): string {
  return UNSTORABLE.test(s) ? s.replace(UNSTORABLE_ALL, '\ufffd') : s;
}

/**
 * Characters that change how text around them is shown without being seen: bidi embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069: "Trojan Source" titles that read differently than they are),
 * direction marks (U+200E, U+200F, U+061C), every other format character (Cf: zero-width space, word
 * joiner, BOM, invisible operators, tag characters, soft hyphen…), the blank Hangul fillers used as
 * invisible names, control characters other than tab and line breaks (NUL included), and lone surrogates
 * (in `u` mode the class matches only unpaired ones). Zero-width (non-)joiners stay:
 * Persian and Indic scripts and emoji sequences need them, and they reorder nothing.
 */
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must go.
  /(?![\u200c\u200d])[\p{Cf}\u115f\u1160\u3164\uffa0\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff]/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'gu');

/** Text for a public surface (titles, public messages, component names): storable, with nothing hidden in it. */
export function publicText(s: string): string {
  return INVISIBLE.test(s) ? s.replace(INVISIBLE_ALL, '') : s;
}
