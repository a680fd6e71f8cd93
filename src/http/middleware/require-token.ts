import type { MiddlewareHandler } from 'hono';
import { presentedToken, type TokenDigest, tokenMatches } from '../../auth/tokens.ts';

/** 401 unless the request carries the given secret (Bearer or basic auth password). Nothing is read or stored before. */
export function requireToken(expected: () => TokenDigest, realm: string): MiddlewareHandler {
  return async (c, next) => {
    if (!tokenMatches(presentedToken(c.req.header('authorization')), expected())) {
      c.header('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
      return c.json({ error: 'unauthorized', message: `missing or wrong ${realm} credential` }, 401);
    }
    await next();
  };
}
