import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { CSRF_FIELD, loginNonce, sameSecret } from '../../auth/csrf.ts';
import { SESSION_TTL_MS, type SessionSigner } from '../../auth/session.ts';
import { type TokenDigest, tokenMatches } from '../../auth/tokens.ts';
import type { Clock } from '../../pipeline/ports.ts';
import {
  bufferBody,
  internalAuthOf,
  LOGIN_PATH,
  safeNext,
  sameOrigin,
  sessionCookie,
} from '../middleware/internal-auth.ts';
import { type LoginVM, renderLogin } from '../render.ts';

export interface LoginDeps {
  signer: SessionSigner;
  adminToken: () => TokenDigest;
  clock: Clock;
  publicUrl: string;
  pageName: string;
}

const NONCE_COOKIE = 'incidentd_login';
/** One message for every failure: it never says which part was wrong. */
const FAILED = 'Sign-in failed. Check the admin token and try again.';

/** A name for the timeline: printable, trimmed, at most 100 characters; default `admin`. */
function actorName(value: unknown): string {
  const name = (typeof value === 'string' ? value : '')
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, 100);
  return name || 'admin';
}

/**
 * GET/POST /internal/login and POST /internal/logout. Login has no session to bind a CSRF token to, so it
 * uses a double-submit nonce (an HttpOnly SameSite=Strict cookie equal to a hidden field) plus the origin
 * check; the token is compared as a digest in constant time.
 */
export function loginRoutes(deps: LoginDeps): Hono {
  const app = new Hono();
  const cookie = sessionCookie(deps.publicUrl);
  const nonceOptions = {
    httpOnly: true,
    secure: cookie.options.secure,
    sameSite: 'Strict' as const,
    path: LOGIN_PATH,
    maxAge: 3600,
  };

  const form = (vm: Omit<LoginVM, 'documentTitle' | 'pageName'>) =>
    renderLogin({ ...vm, documentTitle: `Sign in - ${deps.pageName}`, pageName: deps.pageName });

  app.get('/login', (c) => {
    const next = safeNext(c.req.query('next'));
    if (deps.signer.verify(getCookie(c, cookie.name), deps.clock.now())) return c.redirect(next, 303);
    const nonce = loginNonce();
    setCookie(c, NONCE_COOKIE, nonce, nonceOptions);
    return c.html(form({ next, nonce, name: '', error: null }));
  });

  app.post('/login', async (c) => {
    if (!(await bufferBody(c))) return c.text('request too large', 413);
    const body = await c.req.parseBody();
    const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
    const next = safeNext(field('next'));
    const name = actorName(body.name);
    // Evaluate every check, then answer once: the response does not depend on which one failed.
    const originOk = sameOrigin(c, deps.publicUrl);
    const nonceOk = sameSecret(getCookie(c, NONCE_COOKIE), field(CSRF_FIELD));
    const tokenOk = tokenMatches(field('token') || null, deps.adminToken());
    if (!(originOk && nonceOk && tokenOk)) {
      const nonce = loginNonce();
      setCookie(c, NONCE_COOKIE, nonce, nonceOptions);
      return c.html(form({ next, nonce, name, error: FAILED }), 401);
    }
    const { cookie: value } = deps.signer.issue(name, deps.clock.now());
    setCookie(c, cookie.name, value, { ...cookie.options, maxAge: Math.floor(SESSION_TTL_MS / 1000) });
    deleteCookie(c, NONCE_COOKIE, { path: LOGIN_PATH, secure: cookie.options.secure });
    return c.redirect(next, 303);
  });

  // Behind the internal middleware: a session and its CSRF token are required to sign out.
  app.post('/logout', (c) => {
    const auth = internalAuthOf(c);
    if (auth.session) deps.signer.revoke(auth.session, deps.clock.now());
    deleteCookie(c, cookie.name, { path: '/', secure: cookie.options.secure });
    return c.redirect(LOGIN_PATH, 303);
  });
  return app;
}
