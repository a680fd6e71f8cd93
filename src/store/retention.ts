import { type RawBuilder, sql } from 'kysely';
import type { Db } from './db.ts';

/**
 * Pruning by age, one bounded statement per call: at most `limit` rows, oldest first, rows another
 * transaction holds skipped (`skip locked`), so a webhook in flight wins and replicas never wait on each other.
 * Each returns how many rows went.
 */
async function deleted(db: Db, query: RawBuilder<unknown>): Promise<number> {
  return (await query.execute(db)).rows.length;
}

/** Rows of a table with an identity key whose time column is before `before`. */
function pruneById(
  db: Db,
  table: 'dead_letters' | 'alert_events',
  column: string,
  before: Date,
  limit: number,
) {
  const [t, c] = [sql.table(table), sql.ref(column)];
  return deleted(
    db,
    sql`delete from ${t} where id in (
      select id from ${t} where ${c} < ${before} order by ${c} limit ${limit} for update skip locked) returning 1`,
  );
}

export const pruneDeadLetters = (db: Db, before: Date, limit: number) =>
  pruneById(db, 'dead_letters', 'received_at', before, limit);

export const pruneAlertEvents = (db: Db, before: Date, limit: number) =>
  pruneById(db, 'alert_events', 'at', before, limit);

/**
 * Resolved alerts that no incident holds (directly or by a link) and no live candidate group holds: neither in
 * its bounded sample (`alert_ids`) nor waiting in it (`alerts.waiting` on its rule and group key).
 */
export function pruneAlerts(db: Db, before: Date, limit: number): Promise<number> {
  return deleted(
    db,
    sql`delete from alerts where id in (
      select a.id from alerts a
      where a.status = 'resolved' and a.incident_id is null and a.last_seen_at < ${before}
        and not exists (select 1 from incident_alerts ia where ia.alert_id = a.id)
        and not exists (select 1 from candidate_groups cg where cg.alert_ids @> jsonb_build_array(a.id))
        and not (a.waiting and exists (
          select 1 from candidate_groups cg where cg.rule = a.rule and cg.group_key = a.group_key))
      order by a.last_seen_at limit ${limit}
      for update of a skip locked) returning 1`,
  );
}

/** Candidate groups left past their expiry (the expire job normally turns them into unrouted alerts at once). */
export function pruneCandidateGroups(db: Db, before: Date, limit: number): Promise<number> {
  return deleted(
    db,
    sql`delete from candidate_groups where (rule, group_key) in (
      select rule, group_key from candidate_groups where expires_at < ${before} order by expires_at limit ${limit}
      for update skip locked) returning 1`,
  );
}

/**
 * Resolved incidents (opt-in): their timeline, links, SLA clocks and notices go by cascade, and the alerts
 * that belonged to them and to no other incident go too. One transaction per batch.
 */
export function pruneIncidents(db: Db, before: Date, limit: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const ids = (
      await sql<{ id: string }>`select id from incidents
        where state = 'resolved' and resolved_at < ${before} order by resolved_at limit ${limit}
        for update skip locked`.execute(trx)
    ).rows.map((r) => r.id);
    if (ids.length === 0) return 0;
    const batch = sql.join(ids);
    await sql`delete from alerts a where a.incident_id in (${batch})
      and not exists (select 1 from incident_alerts ia where ia.alert_id = a.id and ia.incident_id not in (${batch}))`.execute(
      trx,
    );
    await sql`delete from incidents where id in (${batch})`.execute(trx);
    return ids.length;
  });
}
