import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { CSRF_FIELD, CSRF_HEADER, csrfMatches, csrfToken } from '../../auth/csrf.ts';
import type { Session, SessionSigner } from '../../auth/session.ts';
import { presentedToken, type TokenDigest, tokenMatches } from '../../auth/tokens.ts';
import type { Clock } from '../../pipeline/ports.ts';
import { readBodyLimited } from '../read-body.ts';
import { SECURITY_HEADERS } from '../security-headers.ts';
import { unauthorized } from './require-token.ts';

/**
 * Guards everything under /internal: a browser signs in through /internal/login and carries a signed
 * session cookie; scripts send the admin token (Bearer or basic auth). Unsafe methods additionally need
 * a same-origin request, and with a cookie session the form's CSRF token. Mount it for '/internal' and
 * '/internal/*' before any internal route (app.ts does); routes read the caller with `internalAuthOf(c)`.
 */

export const LOGIN_PATH = '/internal/login';
const MAX_FORM_BYTES = 64 * 1024;

export interface InternalAuth {
  via: 'session' | 'token';
  /** null for token callers. */
  session: Session | null;
  /** The CSRF token forms must carry (hidden field `_csrf`); null for token callers, who need none. */
  csrf: string | null;
}

/** Hono env of internal routes: `actor` is what resolveActor() reads for timeline events. */
export type InternalEnv = { Variables: { internalAuth: InternalAuth; actor: string } };

export interface InternalAuthDeps {
  signer: SessionSigner;
  adminToken: () => TokenDigest;
  clock: Clock;
  publicUrl: string;
}

export function internalAuthOf(c: Context): InternalAuth {
  const auth = (c.var as Partial<InternalEnv['Variables']>).internalAuth;
  if (!auth) throw new Error('internalAuth middleware is not mounted for this route');
  return auth;
}

/** Cookie attributes: `__Host-` and Secure when the service is served over https. */
export function sessionCookie(publicUrl: string) {
  const secure = publicUrl.startsWith('https:');
  return {
    name: secure ? '__Host-incidentd_session' : 'incidentd_session',
    options: { httpOnly: true, secure, sameSite: 'Strict' as const, path: '/' },
  };
}

/** A `next` target that stays on this site, inside /internal: anything else becomes /internal. */
export function safeNext(value: string | undefined | null): string {
  if (!value || value.length > 2000 || !value.startsWith('/') || /[\\\p{Cc}]/u.test(value))
    return '/internal';
  try {
    const base = 'http://incidentd.invalid';
    const url = new URL(value, base);
    if (url.origin !== base) return '/internal';
    if (url.pathname !== '/internal' && !url.pathname.startsWith('/internal/')) return '/internal';
    if (url.pathname === LOGIN_PATH) return '/internal';
    return url.pathname + url.search;
  } catch {
    return '/internal';
  }
}

/**
 * The second CSRF layer: the browser's own word on where the request comes from. Refuses cross-site
 * `Sec-Fetch-Site` and an `Origin` (or, without one, `Referer`) on another host than ours or the public
 * URL's. Scripts send neither and pass.
 */
export function sameOrigin(c: Context, publicUrl: string): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const claimed = c.req.header('origin') ?? c.req.header('referer');
  if (claimed === undefined) return true;
  let from: URL;
  try {
    from = new URL(claimed);
  } catch {
    return false; // includes Origin: null (sandboxed frames, data: URLs)
  }
  const own = new URL(c.req.url);
  if (from.host === own.host && (from.protocol === own.protocol || from.protocol === 'https:')) return true;
  try {
    return from.origin === new URL(publicUrl).origin;
  } catch {
    return false;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function refusal(c: Context, status: 401 | 403 | 413, message: string) {
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not allowed</title>' +
    '<link rel="stylesheet" href="/static/internal.css"></head><body class="internal"><main class="wrap">' +
    `<h1>Not allowed</h1><p>${message}</p><p><a href="${LOGIN_PATH}">Sign in</a></p></main></body></html>`;
  return c.html(html, status, { 'Cache-Control': 'no-store' });
}

/**
 * Reads the body once, at most MAX_FORM_BYTES, into Hono's body cache: routes then parse it as usual and
 * never read an unbounded stream. False when it is too large.
 */
export async function bufferBody(c: Context): Promise<boolean> {
  const cache = c.req.bodyCache as { arrayBuffer?: Promise<ArrayBuffer> };
  if (cache.arrayBuffer || Object.keys(c.req.bodyCache).length > 0) return true;
  const { bytes, tooLarge } = await readBodyLimited(c.req.raw, MAX_FORM_BYTES);
  if (tooLarge) return false;
  cache.arrayBuffer = Promise.resolve(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  );
  return true;
}

/** The CSRF token of a form post (hidden field) or of a script's fetch (header). */
async function presentedCsrf(c: Context): Promise<string | null> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data'))
    return null;
  // parseBody caches: the route reads the same body again.
  const body = await c.req.parseBody();
  const value = body[CSRF_FIELD];
  return typeof value === 'string' ? value : null;
}

/** Security headers for every internal response: no caching, and the shared ones (no framing, only our own scripts). */
function harden(c: Context): void {
  c.header('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
}

/** The caller's credential: a bearer token or a session cookie; 'bad_token' when a token was sent and is wrong. */
function authenticate(
  c: Context,
  deps: InternalAuthDeps,
  cookieName: string,
): InternalAuth | null | 'bad_token' {
  const authorization = c.req.header('authorization');
  if (authorization !== undefined) {
    if (!tokenMatches(presentedToken(authorization), deps.adminToken())) return 'bad_token';
    return { via: 'token', session: null, csrf: null };
  }
  const session = deps.signer.verify(getCookie(c, cookieName), deps.clock.now());
  return session ? { via: 'session', session, csrf: csrfToken(deps.signer, session) } : null;
}

/** No credential: sockets get a bare 401, writes a refusal page, page views the login page. */
function notSignedIn(c: Context, upgrade: boolean, unsafe: boolean) {
  if (upgrade) return c.text('unauthorized', 401);
  if (unsafe) return refusal(c, 403, 'You are not signed in, or your session has expired.');
  const url = new URL(c.req.url);
  return c.redirect(`${LOGIN_PATH}?next=${encodeURIComponent(safeNext(url.pathname + url.search))}`, 303);
}

/** A write must fit the body limit and, with a session, carry its CSRF token. Null when it may go on. */
async function refuseUnsafe(c: Context, deps: InternalAuthDeps, auth: InternalAuth) {
  if (!(await bufferBody(c))) return refusal(c, 413, 'Request too large.');
  if (auth.via === 'session' && !csrfMatches(deps.signer, auth.session!, await presentedCsrf(c))) {
    return refusal(
      c,
      403,
      'The form was missing its security token or it did not match your session. Reload the page and try again.',
    );
  }
  return null;
}

export function internalAuth(deps: InternalAuthDeps): MiddlewareHandler {
  const cookie = sessionCookie(deps.publicUrl);
  return async (c, next) => {
    const upgrade = c.req.header('upgrade')?.toLowerCase() === 'websocket';
    // The login page guards itself (no session yet: a double-submit nonce and the origin check).
    if (c.req.path === LOGIN_PATH) {
      await next();
      harden(c);
      return;
    }
    const auth = authenticate(c, deps, cookie.name);
    // A script that sent a credential wants the API's answer, not a login page.
    if (auth === 'bad_token') return unauthorized(c, 'admin');
    const unsafe = !SAFE_METHODS.has(c.req.method);
    if (!auth) return notSignedIn(c, upgrade, unsafe);
    if ((unsafe || upgrade) && !sameOrigin(c, deps.publicUrl)) {
      return refusal(c, 403, 'Cross-site request refused.');
    }
    const refused = unsafe ? await refuseUnsafe(c, deps, auth) : null;
    if (refused) return refused;
    c.set('internalAuth', auth);
    if (auth.session) c.set('actor', auth.session.actor);
    await next();
    if (!upgrade) harden(c);
  };
}
