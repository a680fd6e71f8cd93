import type { SourceParseResult } from '../core/alert.ts';
import { alertOverLimit } from '../core/alert-limits.ts';
import { DEFAULT_INGEST_LIMITS, type IngestLimits, overLimit } from '../core/ingest-limits.ts';
import { guardJsonSliced, outOfRangeDate, parseJsonSliced } from './json-guard.ts';
import { scanJsonShape } from './json-shape-scan.ts';
import type { WebhookSource } from './ports.ts';
import { type TimeSlice, timeSlice } from './time-slice.ts';

/** Bytes decoded between turns of the event loop (a 5 MB body takes 100 ms in one go on a busy machine). */
const DECODE_PIECE = 512 * 1024;

/** Strict UTF-8 → string, a piece at a time; null when the bytes are not UTF-8. */
async function decodeSliced(bytes: Uint8Array, slice: TimeSlice): Promise<string | null> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  try {
    let text = '';
    for (let from = 0; from < bytes.byteLength; from += DECODE_PIECE) {
      text += utf8.decode(bytes.subarray(from, from + DECODE_PIECE), { stream: true });
      await slice.pause();
    }
    return text + utf8.decode();
  } catch {
    return null;
  }
}

/** Alerts handed to a source's parser at a time, between turns of the event loop. */
const CHUNK = 100;

/**
 * Bytes → validated, normalized alerts, within the ingest limits and without holding the event loop for long:
 * the text's shape is checked before JSON.parse builds anything (a 200,000-member object is refused from its
 * text), and the walk, the schema and the normalization run in slices with turns of the event loop between.
 * Every failure is a 400 message naming the field and, for a limit, its environment variable.
 */
export async function parseWebhookBody(
  source: WebhookSource,
  bytes: Uint8Array,
  receivedAt: Date,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
  slice: TimeSlice = timeSlice(),
): Promise<SourceParseResult> {
  const text = await decodeSliced(bytes, slice);
  if (text === null) return { ok: false, error: 'body: not valid UTF-8' };
  const shape = await scanJsonShape(text, limits, slice);
  if (shape.error !== null) return { ok: false, error: shape.error };
  await slice.pause();
  let json: unknown;
  try {
    json = await parseJsonSliced(text, shape.alerts, slice);
  } catch (err) {
    return { ok: false, error: `body: invalid JSON (${(err as Error).message})` };
  }
  await slice.pause();
  const guarded = await guardJsonSliced(json, slice);
  if (!guarded.ok) return { ok: false, error: guarded.error };
  const parsed = await parseInChunks(source, guarded.value, receivedAt, limits, slice);
  if (!parsed.ok) return parsed;
  if (parsed.alerts.length > limits.maxAlertsPerBody) {
    return { ok: false, error: overLimit('alerts', 'entries', limits, 'maxAlertsPerBody') };
  }
  for (const [i, alert] of parsed.alerts.entries()) {
    const over = alertOverLimit(alert, i, limits);
    if (over) return { ok: false, error: over };
    if ((i & 1023) === 1023) await slice.pause();
  }
  const badDate = outOfRangeDate(parsed.alerts);
  if (badDate) return { ok: false, error: badDate };
  return parsed;
}

/**
 * A body with a long `alerts` list goes to the source CHUNK alerts at a time (the rest of the body, group
 * labels included, with each); an error's `alerts[i]` is renumbered to the index in the whole list.
 */
async function parseInChunks(
  source: WebhookSource,
  body: unknown,
  receivedAt: Date,
  limits: IngestLimits,
  slice: TimeSlice,
): Promise<SourceParseResult> {
  const alerts = (body as { alerts?: unknown } | null)?.alerts;
  if (!Array.isArray(alerts) || alerts.length <= CHUNK || source.wholeBody) {
    return source.parse(body, receivedAt, limits);
  }
  const out: SourceParseResult & { ok: true } = { ok: true, alerts: [], truncatedAlerts: 0 };
  for (let from = 0; from < alerts.length; from += CHUNK) {
    const part = source.parse({ ...(body as object), alerts: alerts.slice(from, from + CHUNK) }, receivedAt);
    if (!part.ok) {
      return {
        ok: false,
        error: part.error.replace(/^alerts\[(\d+)\]/, (_, i: string) => `alerts[${from + Number(i)}]`),
      };
    }
    for (const alert of part.alerts) out.alerts.push(alert);
    out.truncatedAlerts = part.truncatedAlerts;
    await slice.pause();
  }
  return out;
}
