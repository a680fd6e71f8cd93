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
