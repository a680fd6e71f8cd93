import { DEFAULT_INGEST_LIMITS, type IngestLimits, overLimit } from '../core/ingest-limits.ts';
import type { Source } from './source.ts';

export type DecodedBody = { ok: true; bytes: Uint8Array } | { ok: false; status: 400 | 415; error: string };

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** A form value holding a JSON object or list (a nested template object, a `payload=` field); else null. */
function jsonIn(value: string): unknown {
  const text = value.trim();
  if (!/^[[{]/.test(text)) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * A form body's JSON equivalent. Datadog's "Encode as form" sends each top-level key of the payload template
 * as a form field: values stay strings, as in the JSON body (`"date": "1733929712000"`), except values that
 * hold a JSON object or list (a nested `org` object), which are parsed. A form with a single field holding a
 * JSON object (`payload={…}`) is that object. A repeated field becomes a list of its values.
 */
export function formToObject(text: string): Record<string, unknown> {
  const fields = new URLSearchParams(text);
  const keys = [...new Set(fields.keys())];
  if (keys.length === 1) {
    const only = fields.getAll(keys[0]!);
    const whole = only.length === 1 ? jsonIn(only[0]!) : null;
    if (whole !== null && !Array.isArray(whole)) return whole as Record<string, unknown>;
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const values = fields.getAll(key);
    out[key] = values.length > 1 ? values : (jsonIn(values[0]!) ?? values[0]);
  }
  return out;
}

function fieldCount(text: string): number {
  let n = text.length > 0 ? 1 : 0;
  for (let at = text.indexOf('&'); at !== -1; at = text.indexOf('&', at + 1)) n++;
  return n;
}

/**
 * The body bytes as the source parses them: JSON as received; a form body (for sources with `formBodies`)
 * as its JSON equivalent, which is also what the journal and dead letters keep, so replay needs no header.
 * A form for any other source, or a multipart body, is a 415 naming the supported types.
 */
export function decodeWebhookBody(
  source: Source,
  contentType: string | undefined,
  bytes: Uint8Array,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): DecodedBody {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== FORM && type !== 'multipart/form-data') return { ok: true, bytes };
  const supported = source.formBodies ? `${JSON_TYPE} or ${FORM}` : JSON_TYPE;
  if (type !== FORM || !source.formBodies) {
    return {
      ok: false,
      status: 415,
      error: `content-type: ${type} is not supported for ${source.name}; send ${supported}`,
    };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, status: 400, error: 'body: not valid UTF-8' };
  }
  if (fieldCount(text) > limits.maxLabelsPerAlert) {
    return { ok: false, status: 400, error: overLimit('body', 'form fields', limits, 'maxLabelsPerAlert') };
  }
  return { ok: true, bytes: new TextEncoder().encode(JSON.stringify(formToObject(text))) };
}
