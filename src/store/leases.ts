import { sql } from 'kysely';
import type { Db } from './db.ts';

/**
 * Once per interval across replicas: true for the one caller whose conditional update moved the key's last-run
 * time (or created it), false for every other caller until `intervalMs` has passed. A row in `settings`.
 */
export async function claimInterval(db: Db, key: string, now: Date, intervalMs: number): Promise<boolean> {
  const due = new Date(now.getTime() - intervalMs).toISOString();
  const result = await sql<{ key: string }>`
    insert into settings (key, value) values (${key}, ${now.toISOString()})
    on conflict (key) do update set value = excluded.value, updated_at = now()
      where settings.value::timestamptz <= ${due}::timestamptz
    returning key`.execute(db);
  return result.rows.length > 0;
}

/** Makes the key due again at once (work left over): the next claim, by any replica, succeeds. */
export async function releaseInterval(db: Db, key: string, now: Date, intervalMs: number): Promise<void> {
  await sql`update settings set value = ${new Date(now.getTime() - intervalMs).toISOString()}, updated_at = now()
    where key = ${key} and value = ${now.toISOString()}`.execute(db);
}
