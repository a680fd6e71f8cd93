import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { DomainError } from '../core/errors.ts';
import type { Logger } from '../pipeline/ports.ts';
import { isDatabaseUnavailable } from '../store/errors.ts';
import type { OutageLog } from './outage-log.ts';

const DOMAIN_STATUS: Record<string, 400 | 404 | 409> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
};

const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05']);

/** The one place errors become HTTP statuses. `outage` logs "database unavailable" rate-limited (else: every time). */
export function errorHandler(log: Logger, outage?: OutageLog): ErrorHandler {
  return (err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    if (err instanceof DomainError) {
      return c.json({ error: err.code, message: err.message }, DOMAIN_STATUS[err.code] ?? 400);
    }
    // PostgreSQL and PGlite refuse NUL in text (22021) and `\u0000` in jsonb (22P05): the caller sent it.
    if (UNSTORABLE_TEXT_CODES.has((err as { code?: unknown }).code as string)) {
      return c.json({ error: 'invalid', message: 'text must not contain NUL characters (U+0000)' }, 400);
    }
    if (isDatabaseUnavailable(err)) {
      const fields = { path: c.req.path, error: err };
      if (outage) outage.failure(fields);
      else log.warn('database unavailable', fields);
      c.header('Retry-After', '5');
      return c.json({ error: 'unavailable', message: 'database unavailable, retry later' }, 503);
    }
    log.error('unhandled error', { path: c.req.path, error: err, stack: (err as Error).stack });
    return c.json({ error: 'internal', message: 'internal error' }, 500);
  };
}
