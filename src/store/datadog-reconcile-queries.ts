import { sql } from 'kysely';
import type { Db, Trx } from './db.ts';

/** Firing Datadog alerts not heard of since `cutoff` whose labels name a monitor, oldest first. */
export function staleDatadogAlerts(db: Db, cutoff: Date, limit: number) {
  return db
    .selectFrom('alerts')
    .select(['id', sql<string>`labels->>'monitor_id'`.as('monitor_id')])
    .where('source', '=', 'datadog')
    .where('status', '=', 'firing')
    .where('last_seen_at', '<=', cutoff)
    .where(sql<string>`labels->>'monitor_id'`, '~', '^[0-9]{1,15}$')
    .orderBy('last_seen_at')
    .limit(limit)
    .execute();
}

/** Still firing and still unheard of: a webhook that arrived meanwhile (or holds the row) wins. */
export function lockStillStale(trx: Trx, ids: string[], cutoff: Date) {
  return trx
    .selectFrom('alerts')
    .selectAll()
    .where('id', 'in', ids)
    .where('status', '=', 'firing')
    .where('last_seen_at', '<=', cutoff)
    .orderBy('fingerprint')
    .forUpdate()
    .skipLocked()
    .execute();
}

/** The `alert.resolved` events the router wrote at `now` for these alerts: say who resolved them and why. */
export async function markReconciled(trx: Trx, actor: string, now: Date, alertIds: string[]): Promise<void> {
  await sql`
    update incident_events e set actor = ${actor},
      data = e.data || jsonb_build_object('via', 'datadog-reconcile', 'monitorId', a.labels->>'monitor_id',
                                          'monitorState', 'OK')
    from alerts a
    where e.kind = 'alert.resolved' and e.at = ${now} and a.id = e.data->>'alertId'
      and a.id in (${sql.join(alertIds)})`.execute(trx);
}
