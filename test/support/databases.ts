import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { openStore, type StoreHandle } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

export type DatabaseKind = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export const databaseKinds: DatabaseKind[] = process.env.TEST_DATABASE_URL
  ? ['pglite', 'postgres']
  : ['pglite'];

/**
 * A migrated, empty store of the given kind. PostgreSQL stores live in their own schema, so test files
 * run in parallel on one server without seeing each other; the schema is dropped on close.
 */
export async function createTestStore(
  kind: DatabaseKind,
  opts: { poolSize?: number } = {},
): Promise<StoreHandle> {
  if (kind === 'pglite') {
    const store = await openStore({ databaseUrl: null, dataDir: 'memory://' });
    await migrateToLatest(store);
    return store;
  }
  const url = process.env.TEST_DATABASE_URL!;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const store = await openStore({ databaseUrl: url, dataDir: '', schema, poolSize: opts.poolSize ?? 10 });
  await migrateToLatest(store);
  const close = store.close;
  return {
    ...store,
    close: async () => {
      await close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop schema if exists ${schema} cascade`);
      await cleanup.end();
    },
  };
}

/**
 * `describe` once per database kind, with a fresh migrated store for the block: the same storage tests
 * run on PGlite and on PostgreSQL. The block's title names the kind, so the log shows both ran.
 */
export function describeEachDatabase(
  title: string,
  body: (ctx: { store: () => StoreHandle; kind: DatabaseKind }) => void,
): void {
  for (const kind of databaseKinds) {
    describe(`${title} [${kind}]`, () => {
      let store: StoreHandle | undefined;
      beforeAll(async () => {
        store = await createTestStore(kind);
      });
      afterAll(async () => {
        await store?.close();
      });
      body({ store: () => store!, kind });
    });
  }
}

/**
 * A migrated, closed PGlite data directory on disk. initdb takes most of a minute on a busy machine: make
 * one per test file and give each test a copy (`cp -r`).
 */
export async function createMigratedDataDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const store = await openStore({ databaseUrl: null, dataDir: dir });
  await migrateToLatest(store);
  await store.close();
  return dir;
}
