import { createHash } from 'node:crypto';
import type { NormalizedAlert } from '../../core/alert.ts';
import type { PagerdutyEvent } from './payload.ts';
import { parseIso8601 } from './timestamp.ts';

export const PAGERDUTY_SOURCE = 'pagerduty';

/** `payload` fields that become labels (what rules match on). */
const LABEL_FIELDS = ['severity', 'source', 'component', 'group', 'class'] as const;

/**
 * The dedup key of a trigger sent without one. `POST /v2/enqueue` generates a random one and writes it into the
 * body before anything is stored; this fallback (a body posted to `/webhooks/pagerduty` without one) derives it
 * from the event and its receive time, so parsing stays pure.
 */
export function derivedDedupKey(event: unknown, receivedAt: Date): string {
  return createHash('sha256')
    .update(`${receivedAt.toISOString()}\n${jsonText(event)}`)
    .digest('hex')
    .slice(0, 32);
}

/** Nesting below this depth is kept as one JSON annotation rather than flattened further. */
const MAX_DETAIL_DEPTH = 8;

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '(too deeply nested to show)';
  }
}

/** `custom_details` as flat annotations: nested keys joined with `.`, scalars as text, arrays as JSON. */
export function flattenDetails(
  value: unknown,
  prefix = '',
  out: Record<string, string> = {},
  depth = 0,
): Record<string, string> {
  if (value === null || value === undefined) return out;
  if (typeof value === 'object' && !Array.isArray(value) && depth < MAX_DETAIL_DEPTH) {
    for (const [key, inner] of Object.entries(value))
      flattenDetails(inner, prefix ? `${prefix}.${key}` : key, out, depth + 1);
    return out;
  }
  out[prefix || 'custom_details'] = typeof value === 'string' ? value : jsonText(value);
  return out;
}

/**
 * One alert event to the normalized model. trigger and acknowledge are firing, resolve is resolved; the identity is
 * `dedup_key`. `raw` is the event without its routing key (a credential).
 */
export function pagerdutyEventToNormalized(
  event: PagerdutyEvent,
  raw: unknown,
  receivedAt: Date,
): NormalizedAlert {
  const fingerprint = event.dedup_key || derivedDedupKey(raw, receivedAt);
  const payload = event.payload;
  const labels: Record<string, string> = {};
  for (const field of LABEL_FIELDS) {
    const value = payload?.[field];
    if (value) labels[field] = value;
  }
  const annotations: Record<string, string> = flattenDetails(payload?.custom_details);
  if (payload) annotations.summary = payload.summary;
  if (event.client) annotations.client = event.client;
  if (event.client_url) annotations.client_url = event.client_url;
  if (event.links?.length) annotations.links = JSON.stringify(event.links);
  if (event.images?.length) annotations.images = JSON.stringify(event.images);
  annotations.pagerduty_event_action = event.event_action;
  if (event.event_action === 'acknowledge') annotations.pagerduty_acknowledged_at = receivedAt.toISOString();
  const resolved = event.event_action === 'resolve';
  const { routing_key: _credential, ...kept } = (raw ?? {}) as Record<string, unknown>;
  return {
    source: PAGERDUTY_SOURCE,
    fingerprint,
    status: resolved ? 'resolved' : 'firing',
    labels,
    annotations,
    title: payload?.summary || `PagerDuty alert ${fingerprint}`,
    startsAt: (payload?.timestamp && parseIso8601(payload.timestamp)) || receivedAt,
    endsAt: resolved ? receivedAt : null,
    generatorUrl: event.client_url || null,
    raw: kept,
  };
}
