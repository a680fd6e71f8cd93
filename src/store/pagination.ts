import { DomainError } from '../core/errors.ts';

/** Keyset pagination: the cursor is the (time, id) of the last item of the page, opaque to clients. */
export interface PageRequest {
  limit: number;
  after: { at: Date; id: string } | null;
}

export function parsePageRequest(query: { limit?: string; cursor?: string }): PageRequest {
  const limit = query.limit === undefined ? 100 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new DomainError('invalid', 'limit: expected a whole number from 1 to 1000');
  }
  if (!query.cursor) return { limit, after: null };
  try {
    const [at, id] = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(at);
    if (Number.isNaN(date.getTime()) || typeof id !== 'string') throw new Error('bad cursor');
    return { limit, after: { at: date, id } };
  } catch {
    throw new DomainError('invalid', 'cursor: not a cursor this API returned');
  }
}

/** Fetch limit+1 rows; the extra one says whether there is a next page. */
export function toPage<T>(rows: T[], limit: number, key: (row: T) => { at: Date; id: string | number }) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const next_cursor =
    rows.length > limit && last
      ? Buffer.from(JSON.stringify([key(last).at.toISOString(), String(key(last).id)])).toString('base64url')
      : null;
  return { items, next_cursor };
}
