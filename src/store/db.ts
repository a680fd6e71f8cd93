import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PGliteDialect, PostgresDialect, sql, type Transaction } from 'kysely';
import type pg from 'pg';
import { lockAddress, lockDataDir } from './data-dir-lock.ts';
import { DatabaseUnavailableError } from './errors.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
/** One transaction on the store: what every write path of a webhook or an action runs in. */
export type Trx = Transaction<Database>;

export interface StoreHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** The PostgreSQL schema in use when not the default (tests). */
  schema?: string;
  /** Cheap round trip for /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** The pg pool (PostgreSQL only), for LISTEN/NOTIFY and tests. */
  pool?: pg.Pool;
}

export interface OpenOptions {
  databaseUrl: string | null;
  dataDir: string;
  /** PostgreSQL schema to use (tests give each file its own). */
  schema?: string;
  poolSize?: number;
  /** PostgreSQL statement_timeout of pool connections; 0: none. Default 15 s. */
  statementTimeoutMs?: number;
}

export async function openStore(opts: OpenOptions): Promise<StoreHandle> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts) : openPglite(opts.dataDir);
}

async function openPostgres(url: string, opts: OpenOptions): Promise<StoreHandle> {
  const statementTimeout = opts.statementTimeoutMs ?? 15_000;
  // Each driver loads only when used: PGlite's and pg's modules cost start time and memory.
  const { default: pg } = await import('pg');
  // int8 (counts, identity ids) as numbers, like PGlite does; our values stay far below 2^53.
  const pgTypes = {
    getTypeParser: ((oid: number, format?: string) =>
      oid === 20
        ? (v: string) => Number(v)
        : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A server that vanished without closing the connection (host down, network cut): noticed by
    // keep-alive, and a query gives up a little after the server-side timeout would have fired.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(statementTimeout ? { query_timeout: statementTimeout + 5_000 } : {}),
    types: pgTypes,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  // A dropped connection must not crash the process: the next query reports the error instead. The pool
  // only listens on idle clients; a checked-out one (mid-transaction) needs its own listener, or the
  // server's "terminating connection" (57P01 on shutdown) is an unhandled 'error' event that kills us.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
    // A request never waits on the database for long: the server cancels the statement (locks freed,
    // connection intact), the request answers 503 and the sender retries. A SET rather than a startup
    // option, which pgbouncer would refuse. Queued before the first query of whoever gets this client.
    if (statementTimeout)
      client.query(`set statement_timeout = ${Math.floor(statementTimeout)}`).catch(() => {});
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    pool,
    ...(opts.schema ? { schema: opts.schema } : {}),
    ping: () => ping(db),
    close: () => db.destroy(),
  };
}

async function openPglite(dataDir: string): Promise<StoreHandle> {
  const inMemory = dataDir === 'memory://';
  let releaseLock = async () => {};
  if (!inMemory) {
    mkdirSync(dataDir, { recursive: true });
    releaseLock = await lockPgliteDir(dataDir);
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = inMemory ? new PGlite() : new PGlite(dataDir);
  await pglite.waitReady;
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: 'pglite',
    ping: () => ping(db),
    close: async () => {
      await db.destroy();
      await releaseLock();
    },
  };
}

/** Writes every dirty page into the data files (the intake journal truncates after it and a data-dir fsync). */
export async function checkpoint(db: Db): Promise<void> {
  await sql`checkpoint`.execute(db);
}

async function ping(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

/** Embedded PGlite is single-process: a second incidentd on the same DATA_DIR would corrupt it. */
export async function lockPgliteDir(dataDir: string): Promise<() => Promise<void>> {
  const lock = await lockDataDir(lockAddress(dataDir));
  if (!lock.ok) {
    const who = lock.holder ? `incidentd process ${lock.holder}` : 'another incidentd process';
    throw new DatabaseUnavailableError(
      `DATA_DIR ${dataDir} is in use by ${who}; embedded storage is single-process (use DATABASE_URL for replicas)`,
    );
  }
  // Earlier versions locked with a pid file, which a reused pid kept "alive": it means nothing now.
  rmSync(join(dataDir, 'incidentd.pid'), { force: true });
  return lock.release;
}
