import { createHash } from 'node:crypto';
import { parseTags } from './tags.ts';

/** 16 hex chars of SHA-256: short enough to read, 64 bits against collisions within one source. */
export function shortHash(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** A group (`$ALERT_SCOPE`, `?group=`, `on {…}`) in one canonical order, so every spelling agrees. */
export function normalizeScope(scope: string | undefined): string {
  if (!scope) return '';
  const items: string[] = [];
  for (const [key, values] of parseTags(scope)) {
    for (const value of values) if (key !== '*') items.push(value === '' ? key : `${key}:${value}`);
  }
  return items.sort().join(',');
}

/** The monitor+group key; the same whether the id came from the template or the body's link. */
export function monitorKey(monitorId: string, scope: string | undefined): string {
  return `monitor:${monitorId}|${normalizeScope(scope)}`;
}

const MAX_DEPTH = 16;

/**
 * Canonical JSON (sorted keys) for the last-resort fingerprint of an unrecognised template.
 * `skipKey` drops per-event fields; nesting beyond MAX_DEPTH is cut so a hostile body cannot
 * exhaust the stack.
 */
export function canonicalJson(
  value: unknown,
  skipKey: (key: string) => boolean = () => false,
  depth = 0,
): string {
  if (value !== null && typeof value === 'object') {
    if (depth >= MAX_DEPTH) return '"…"';
    if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, skipKey, depth + 1)).join(',')}]`;
    const entries = Object.keys(value)
      .filter((k) => !skipKey(k))
      .sort()
      .map(
        (k) =>
          `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k], skipKey, depth + 1)}`,
      );
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
