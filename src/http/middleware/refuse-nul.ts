import type { MiddlewareHandler } from 'hono';

/**
 * NUL (`%00`) is never part of a valid path or parameter, and PostgreSQL text refuses it: a path holding
 * one names nothing (404), a query parameter holding one is the caller's mistake (400, naming it).
 * Requests without `%00` (all real ones) pay one `includes`.
 */
export function refuseNul(): MiddlewareHandler {
  return async (c, next) => {
    const url = c.req.url;
    if (!url.includes('%00') && !url.includes('\0')) return next();
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path.includes('%00') || path.includes('\0')) {
      return c.json({ error: 'not_found', message: 'no such path: it contains a NUL character (%00)' }, 404);
    }
    for (const [name, value] of new URLSearchParams(url.slice(q + 1))) {
      if (name.includes('\0') || value.includes('\0')) {
        const which = name.includes('\0') ? 'a parameter name' : `parameter ${name}`;
        return c.json({ error: 'invalid', message: `${which} contains a NUL character (%00)` }, 400);
      }
    }
    return next();
  };
}
