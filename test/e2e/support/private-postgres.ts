import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './processes.ts';

const run = promisify(execFile);
export const PG_BIN = '/usr/lib/postgresql/15/bin';

/** The shared server the unit tests use; e2e tests create their own database on it. */
export const SHARED_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Same server, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface FreshDatabase {
  url: string;
  name: string;
  /** Drops it, disconnecting whatever is still connected. */
  drop(): Promise<void>;
}

/** `create database rel_<random>` on the shared server: replicas tests share nothing with other runs. */
export async function createFreshDatabase(prefix = 'rel'): Promise<FreshDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SHARED_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(SHARED_POSTGRES_URL, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: SHARED_POSTGRES_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Runs a command as the postgres user when we are root (initdb refuses root), else as ourselves. */
function asPostgres(command: string, args: string[], timeoutMs = 60_000) {
  const quoted = [command, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
  return process.getuid?.() === 0
    ? run('su', ['postgres', '-c', quoted], { timeout: timeoutMs })
    : run(command, args, { timeout: timeoutMs });
}

export interface PrivatePostgres {
  url: string;
  port: number;
  dir: string;
  /** The postmaster's pid while it runs (from postmaster.pid). */
  pid(): Promise<number | null>;
  /** `pg_ctl stop -m fast`: connections are terminated, the port closes. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it (immediate, then SIGKILL by pid if needed) and removes its directory. */
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL of our own in a temporary directory, on a free loopback port: a test may stop and start it
 * without touching the shared server other test runs use.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'incidentd-e2e-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await asPostgres(join(PG_BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  const pgCtl = (...args: string[]) => asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', data, ...args]);
  const start = async () => {
    await pgCtl(
      '-l',
      join(dir, 'postgres.log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    );
  };
  const pid = async () => {
    try {
      const n = Number((await readFile(join(data, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      return Number.isInteger(n) && n > 0 ? n : null;
    } catch {
      return null;
    }
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    pid,
    start,
    stop: async () => {
      await pgCtl('-w', '-t', '30', '-m', 'fast', 'stop');
    },
    destroy: async () => {
      const before = await pid();
      const stopped = await pgCtl('-w', '-t', '10', '-m', 'immediate', 'stop').then(
        () => true,
        () => false,
      );
      // Not running (already stopped), or pg_ctl failed: make sure by pid.
      if (!stopped && before) {
        try {
          process.kill(before, 'SIGKILL');
        } catch {}
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
