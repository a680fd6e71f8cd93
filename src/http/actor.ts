import type { Context } from 'hono';
import { DomainError } from '../core/errors.ts';

const ACTOR_HEADER = 'x-incidentd-actor';

/**
 * Who is acting, for the timeline. Today the admin token is shared, so the caller names itself with the
 * X-Incidentd-Actor header or a `by` field (default `admin`). Per-user tokens will set `actor` on the context
 * in their auth middleware; that identity then wins over anything the request claims.
 */
export function resolveActor(c: Context, by: unknown): string {
  const authenticated = (c.var as Record<string, unknown>).actor;
  if (typeof authenticated === 'string' && authenticated) return authenticated;
  const claimed = c.req.header(ACTOR_HEADER) ?? (typeof by === 'string' ? by : undefined);
  if (claimed === undefined) return 'admin';
  const name = claimed.trim();
  if (name === '' || name.length > 100 || /[\p{Cc}]/u.test(name)) {
    throw new DomainError('invalid', 'actor: expected a name of 1 to 100 printable characters');
  }
  return name;
}
