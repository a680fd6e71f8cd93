import type { Context } from 'hono';
import type { StatusSnapshot } from '../publish/status-snapshot.ts';

/**
 * Answers from a snapshot without touching the store: the body is rendered once per snapshot and
 * representation (memoized on the snapshot object, so it goes away with it), the ETag is the snapshot version,
 * and a matching If-None-Match gets a 304.
 */

const bodies = new WeakMap<StatusSnapshot, Map<string, string>>();

export function memoBody(s: StatusSnapshot, key: string, make: () => string): string {
  let m = bodies.get(s);
  if (!m) {
    m = new Map();
    bodies.set(s, m);
  }
  let body = m.get(key);
  if (body === undefined) {
    body = make();
    // Bounded: a handful of representations per snapshot (page, JSON routes, feed, incident pages).
    if (m.size < 1_000) m.set(key, body);
  }
  return body;
}

export const PUBLIC_CACHE = 'public, max-age=5';

export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

export function snapshotResponse(
  c: Context,
  s: StatusSnapshot,
  opts: {
    key: string;
    contentType: string;
    make: () => string;
    cacheControl?: string;
    headers?: Record<string, string>;
    status?: 200 | 404;
  },
): Response {
  const etag = `"${s.version}"`;
  const headers: Record<string, string> = {
    ETag: etag,
    'Cache-Control': opts.cacheControl ?? PUBLIC_CACHE,
    ...opts.headers,
  };
  if ((opts.status ?? 200) === 200 && etagMatches(c.req.header('if-none-match'), etag)) {
    return c.body(null, 304, headers);
  }
  const body = memoBody(s, opts.key, opts.make);
  return c.body(body, opts.status ?? 200, { ...headers, 'Content-Type': opts.contentType });
}
