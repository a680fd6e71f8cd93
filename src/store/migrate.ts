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
