import type { Context, MiddlewareHandler } from 'hono';
import { presentedToken, type TokenDigest, tokenMatches } from '../../auth/tokens.ts';

export function hasToken(c: Context, expected: TokenDigest): boolean {
  return tokenMatches(presentedToken(c.req.header('authorization')), expected);
}

export function unauthorized(c: Context, realm: string) {
  c.header('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
  return c.json({ error: 'unauthorized', message: `missing or wrong ${realm} credential` }, 401);
}

/** 401 unless the request carries the given secret (Bearer or basic auth password). Nothing is read or stored before. */
export function requireToken(expected: () => TokenDigest, realm: string): MiddlewareHandler {
  return async (c, next) => {
    if (!hasToken(c, expected())) return unauthorized(c, realm);
    await next();
  };
}
