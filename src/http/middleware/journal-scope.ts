import type { MiddlewareHandler } from 'hono';
import type { IntakeJournal } from '../../durability/intake-journal.ts';

/**
 * Around a webhook request: once it is finished (committed, rejected or failed), its journal record (appended
 * by the route, keyed by the request) no longer holds back a checkpoint.
 */
export function journalScope(journal: Pick<IntakeJournal, 'release'>): MiddlewareHandler {
  return async (c, next) => {
    try {
      await next();
    } finally {
      journal.release(c.req.raw);
    }
  };
}
