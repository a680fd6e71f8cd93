import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { StoreHandle } from './db.ts';
import { migrations } from './migrations/index.ts';

/** Applies pending migrations; returns the names applied. Throws with the failing migration's name. */
export async function migrateToLatest(store: StoreHandle): Promise<string[]> {
  // Kysely's introspection sees every schema: name ours, or another schema's migration table is taken for it.
  const schema =
    store.kind === 'postgres'
      ? (store.schema ??
        (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]?.s)
      : undefined;
  if (!(await anyPending(store, schema))) return [];
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? '(setup)'} failed: ${reason}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * One cheap query before the Migrator: on an up-to-date database, start skips its catalog introspection and its
 * lock table (seconds on PGlite). Any doubt (no table yet, an error) means "ask the Migrator".
 */
async function anyPending(store: StoreHandle, schema: string | undefined): Promise<boolean> {
  try {
    const table = schema ? sql.table(`${schema}.kysely_migration`) : sql.table('kysely_migration');
    const { rows } = await sql<{ name: string }>`select name from ${table}`.execute(store.db);
    const applied = new Set(rows.map((r) => r.name));
    return Object.keys(migrations).some((name) => !applied.has(name));
  } catch {
    return true;
  }
}
