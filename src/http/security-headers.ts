import type { MiddlewareHandler } from 'hono';

/**
 * Header fields every answer carries, public and internal. The pages load only their own files
 * (views/static: scripts, styles; no inline script, style or handler), fetch and open WebSockets to their
 * own origin, post forms to it, and are never framed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
});

const ENTRIES = Object.entries(SECURITY_HEADERS);

/**
 * Answers built around a prepared header object that already holds SECURITY_HEADERS (snapshot pages, static
 * files). Reading a response's headers makes @hono/node-server build a Headers object, which the hot
 * public paths avoid: the middleware leaves the responses listed here alone.
 */
const prepared = new WeakSet<Response>();

export function preparedResponse(res: Response): Response {
  prepared.add(res);
  return res;
}

/** Adds SECURITY_HEADERS to every answer that does not set them itself (a route's own value wins). */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const res = c.res;
    if (prepared.has(res) || res.status === 101) return;
    const headers = res.headers;
    for (const [name, value] of ENTRIES) if (!headers.has(name)) headers.set(name, value);
  };
}
