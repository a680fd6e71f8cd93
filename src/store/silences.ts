import { compileSilences, type Silence, type SilenceMatcher } from '../core/silence.ts';
import type { Db } from './db.ts';
import type { PageRequest } from './pagination.ts';

/** Alertmanager-style silences: stored rows, the active set for ingest, and what a new silence would match now. */

export interface NewSilence extends Silence {
  createdBy: string;
  comment: string;
}

export interface SilenceRecord extends NewSilence {
  createdAt: Date;
  updatedAt: Date;
}

type Row = {
  id: string;
  matchers: SilenceMatcher[];
  starts_at: Date;
  ends_at: Date;
  created_by: string;
  comment: string;
  created_at: Date;
  updated_at: Date;
};

const fromRow = (r: Row): SilenceRecord => ({
  id: r.id,
  matchers: r.matchers,
  startsAt: new Date(r.starts_at),
  endsAt: new Date(r.ends_at),
  createdBy: r.created_by,
  comment: r.comment,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

export async function insertSilence(db: Db, s: NewSilence, now: Date): Promise<SilenceRecord> {
  await db
    .insertInto('silences')
    .values({
      id: s.id,
      matchers: JSON.stringify(s.matchers),
      starts_at: s.startsAt,
      ends_at: s.endsAt,
      created_by: s.createdBy,
      comment: s.comment,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return { ...s, createdAt: now, updatedAt: now };
}

export async function getSilence(db: Db, id: string): Promise<SilenceRecord | undefined> {
  const row = await db.selectFrom('silences').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** Newest first; keyset on (created_at, id). `state` filters by the time `now`. */
export async function listSilences(
  db: Db,
  page: PageRequest,
  now: Date,
  filter: { state?: 'pending' | 'active' | 'expired' } = {},
): Promise<SilenceRecord[]> {
  let q = db.selectFrom('silences').selectAll();
  if (filter.state === 'pending') q = q.where('starts_at', '>', now);
  if (filter.state === 'active') q = q.where('starts_at', '<=', now).where('ends_at', '>', now);
  if (filter.state === 'expired') q = q.where('ends_at', '<=', now);
  if (page.after) {
    const { at, id } = page.after;
    q = q.where((eb) =>
      eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]),
    );
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
  return rows.map(fromRow);
}

/**
 * Ends a silence now, as Alertmanager's DELETE does: an active one ends at `now`, a pending one starts and ends
 * at `now`. An already expired one is left as it is. Undefined when there is no such silence.
 */
export async function expireSilence(db: Db, id: string, now: Date): Promise<SilenceRecord | undefined> {
  await db
    .updateTable('silences')
    .set((eb) => ({
      ends_at: now,
      starts_at: eb.fn('least', [eb.ref('starts_at'), eb.val(now)]),
      updated_at: now,
    }))
    .where('id', '=', id)
    .where('ends_at', '>', now)
    .execute();
  return getSilence(db, id);
}

/** At most this many unexpired silences are loaded for ingest (Alertmanager setups hold hundreds). */
export const MAX_LOADED_SILENCES = 10_000;

/** Silences not ended at `now` (active and pending), oldest first: the order in which the first match wins. */
export async function loadUnexpiredSilences(db: Db, now: Date): Promise<Silence[]> {
  const rows = await db
    .selectFrom('silences')
    .select(['id', 'matchers', 'starts_at', 'ends_at'])
    .where('ends_at', '>', now)
    .orderBy('created_at')
    .orderBy('id')
    .limit(MAX_LOADED_SILENCES)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    matchers: r.matchers,
    startsAt: new Date(r.starts_at),
    endsAt: new Date(r.ends_at),
  }));
}

/**
 * How many firing alerts these matchers match (time aside): the `matches_now` of a new silence. Equality
 * matchers narrow the rows in SQL; the rest is checked with the same matcher code as ingest.
 */
export async function countFiringMatches(db: Db, matchers: SilenceMatcher[]): Promise<number> {
  let q = db.selectFrom('alerts').select(['labels']).where('status', '=', 'firing');
  for (const m of matchers) {
    if (m.isEqual && !m.isRegex && m.value !== '') {
      q = q.where((eb) => eb(eb.fn('jsonb_extract_path_text', ['labels', eb.val(m.name)]), '=', m.value));
    }
  }
  const set = compileSilences([{ id: 'draft', matchers, startsAt: new Date(0), endsAt: new Date(8.64e15) }]);
  const at = new Date(1);
  let n = 0;
  for (const row of await q.execute()) if (set.match(row.labels, at)) n++;
  return n;
}
