import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Context } from 'hono';
import type { StatusSnapshot } from '../publish/status-snapshot.ts';
import { preparedResponse, SECURITY_HEADERS } from './security-headers.ts';

/**
 * Answers from a snapshot without touching the store: the body is rendered once per snapshot and
 * representation (memoized on the snapshot object, so it goes away with it), encoded to bytes once, and
 * compressed (br, gzip) at most once per encoding; the ETag is the snapshot version, and a matching
 * If-None-Match gets a 304. Per request there is only the Accept-Encoding choice and a Response around
 * prepared bytes and a prepared header object: @hono/node-server writes those straight to the socket.
 */

type Coding = 'br' | 'gzip' | 'identity';

interface Variant {
  body: Uint8Array;
  headers: Record<string, string>;
  notModified: Record<string, string>;
}

interface Rendered {
  text: string;
  bytes: Buffer;
  /** Header fields common to every variant and to 304s (security headers, cache control, extra headers). */
  base: Record<string, string>;
  contentType: string;
  etag: string;
  variants: Partial<Record<Coding, Variant | null>>;
}

const bodies = new WeakMap<StatusSnapshot, Map<string, Rendered>>();

/** Below this, compression saves less than a packet and costs a header. */
const MIN_COMPRESS_BYTES = 1024;

/**
 * A route's own memory of what it rendered last, by key: a rebuild that yields the same version (an alert joined
 * an incident, nothing public changed) is a new snapshot object, and would otherwise render and compress again.
 * Per route, never global: the same version rendered by another app (another config) may differ.
 */
export type BodyCache = Map<string, Rendered>;

export const createBodyCache = (): BodyCache => new Map();

function memo(
  s: StatusSnapshot,
  key: string,
  make: () => string,
  base: () => Record<string, string>,
  contentType: string,
  cache?: BodyCache,
): Rendered {
  let m = bodies.get(s);
  if (!m) {
    m = new Map();
    bodies.set(s, m);
  }
  let r = m.get(key);
  if (r === undefined && cache) {
    const last = cache.get(key);
    if (last?.etag === `"${s.version}"`) {
      r = last;
      m.set(key, r);
    }
  }
  if (r === undefined) {
    const text = make();
    r = {
      text,
      bytes: Buffer.from(text, 'utf8'),
      base: base(),
      contentType,
      etag: `"${s.version}"`,
      variants: {},
    };
    // Bounded: a handful of representations per snapshot (page, JSON routes, feed, incident pages).
    if (m.size < 1_000) m.set(key, r);
    if (cache) {
      if (cache.size >= 1_000 && !cache.has(key)) cache.clear();
      cache.set(key, r);
    }
  }
  return r;
}

export function memoBody(s: StatusSnapshot, key: string, make: () => string): string {
  return memo(s, key, make, () => ({}), '').text;
}

export const PUBLIC_CACHE = 'public, max-age=5';

/** Strong ETag per representation: the same version gzip'd is a different byte sequence. */
const SUFFIX: Record<Coding, string> = { identity: '', gzip: '-gz', br: '-br' };

export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.slice(0, -1);
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    // Any representation of this version: a cache revalidating its gzip copy sends the -gz tag.
    return tag === etag || tag === `${bare}-gz"` || tag === `${bare}-br"`;
  });
}

const codings = new Map<string, Coding>();

/** The encoding to send for an Accept-Encoding value: br over gzip, honouring q=0; memoized per value. */
export function chooseCoding(header: string | undefined): Coding {
  if (!header) return 'identity';
  let coding = codings.get(header);
  if (coding) return coding;
  const q = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q.set(name!.trim(), qp ? Number(qp.slice(2)) || 0 : 1);
  }
  const accepts = (c: string) => (q.get(c) ?? q.get('*') ?? 0) > 0;
  coding = accepts('br') ? 'br' : accepts('gzip') ? 'gzip' : 'identity';
  // Browsers send a few fixed strings; anything else is not worth remembering without bound.
  if (codings.size < 100) codings.set(header, coding);
  return coding;
}

function variant(r: Rendered, coding: Coding): Variant | null {
  const cached = r.variants[coding];
  if (cached !== undefined) return cached;
  let body: Uint8Array = r.bytes;
  if (coding === 'br') {
    body = brotliCompressSync(r.bytes, {
      // Quality 6: within a few percent of 11's size on these pages at a hundredth of the time.
      params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: r.bytes.length },
    });
  } else if (coding === 'gzip') body = gzipSync(r.bytes, { level: 6 });
  let v: Variant | null = null;
  if (coding === 'identity' || (r.bytes.length >= MIN_COMPRESS_BYTES && body.length < r.bytes.length)) {
    const etag = `${r.etag.slice(0, -1)}${SUFFIX[coding]}"`;
    const notModified = { ...r.base, ETag: etag, Vary: 'Accept-Encoding' };
    const headers: Record<string, string> = {
      ...notModified,
      'Content-Type': r.contentType,
      'Content-Length': String(body.length),
    };
    if (coding !== 'identity') headers['Content-Encoding'] = coding;
    v = { body, headers, notModified };
  }
  r.variants[coding] = v;
  return v;
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
    /** Reuse the body rendered for an earlier snapshot object of the same version (see BodyCache). */
    cache?: BodyCache;
  },
): Response {
  const status = opts.status ?? 200;
  const r = memo(
    s,
    opts.key,
    opts.make,
    () => ({ ...SECURITY_HEADERS, 'Cache-Control': opts.cacheControl ?? PUBLIC_CACHE, ...opts.headers }),
    opts.contentType,
    opts.cache,
  );
  const coding = chooseCoding(c.req.header('accept-encoding'));
  const v = variant(r, coding) ?? variant(r, 'identity')!;
  if (status === 200 && etagMatches(c.req.header('if-none-match'), r.etag)) {
    return preparedResponse(new Response(null, { status: 304, headers: v.notModified }));
  }
  return preparedResponse(new Response(v.body as Uint8Array<ArrayBuffer>, { status, headers: v.headers }));
}
