import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type StoreHandle } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

export type BenchDatabase = 'pglite' | 'postgres';

export const postgresUrl = () => process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A migrated, empty store. PostgreSQL gets a fresh schema, dropped on close, so a bench never
 * touches real data; null when the server is unreachable (the bench says so and goes on).
 */
export async function openBenchStore(
  kind: BenchDatabase,
  opts: { pgliteOnDisk?: boolean } = {},
): Promise<StoreHandle | null> {
  if (kind === 'pglite') {
    // On disk (a temporary DATA_DIR, as `npm start` runs) or memory:// (no disk noise).
    const dir = opts.pgliteOnDisk ? await mkdtemp(join(tmpdir(), 'incidentd-bench-pglite-')) : null;
    const store = await openStore({ databaseUrl: null, dataDir: dir ?? 'memory://' });
    await migrateToLatest(store);
    if (!dir) return store;
    return {
      ...store,
      close: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const url = postgresUrl();
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
    await admin.query(`create schema ${schema}`);
  } catch {
    return null;
  } finally {
    await admin.end().catch(() => {});
  }
  const store = await openStore({ databaseUrl: url, dataDir: '', schema, poolSize: 4 });
  await migrateToLatest(store);
  return {
    ...store,
    close: async () => {
      await store.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop schema if exists ${schema} cascade`);
      await cleanup.end();
    },
  };
}
