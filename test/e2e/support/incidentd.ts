import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, type Spawned, startProcess, waitFor } from './processes.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

export interface RunningIncidentd {
  url: string;
  port: number;
  process: Spawned;
  /** The embedded store's directory (unused with a DATABASE_URL). */
  dataDir: string;
  stop(): Promise<void>;
}

export interface IncidentdOptions {
  /** PostgreSQL to use; unset: the embedded store in `dataDir`. */
  databaseUrl?: string;
  /** Use this data directory (left in place by stop()); unset: a fresh one, removed by stop(). */
  dataDir?: string;
  /** More environment (timeouts, job interval, catalog). */
  env?: Record<string, string>;
  /** Label in process output (replica names). */
  name?: string;
  /** false: return once spawned, without waiting for /readyz (tests of failed starts). */
  waitReady?: boolean;
  /**
   * 'bin': `node bin/incidentd.js serve` (one process, as the Docker image runs it). The default `tsx` CLI runs
   * the server in a child and SIGKILLs it when it does not confirm a signal within ~60 ms (a busy event loop).
   */
  entry?: 'tsx' | 'bin';
  /** Run under this command, e.g. `['strace', '-f', '-o', file]`: the server's command line is appended. */
  wrap?: string[];
}

/** Fresh ingest and admin tokens for one test file's server(s). */
export function randomTokens(): { ingest: string; admin: string } {
  return {
    ingest: `ingest-${randomBytes(8).toString('hex')}`,
    admin: `admin-${randomBytes(8).toString('hex')}`,
  };
}

/** incidentd as users run it (`tsx src/cli.ts serve`) on a free loopback port and a fresh data directory. */
export async function startIncidentd(
  tokens: { ingest: string; admin: string },
  opts: IncidentdOptions = {},
): Promise<RunningIncidentd> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'incidentd-e2e-data-')));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const bin = opts.entry === 'bin';
  const [command, ...args] = [
    ...(opts.wrap ?? []),
    ...(bin ? [process.execPath, 'bin/incidentd.js'] : [join(ROOT, 'node_modules/.bin/tsx'), 'src/cli.ts']),
    'serve',
  ];
  const proc = startProcess(opts.name ?? 'incidentd', command!, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      INCIDENTD_INGEST_TOKEN: tokens.ingest,
      INCIDENTD_ADMIN_TOKEN: tokens.admin,
      // The parent's DATABASE_URL must not redirect the child away from its own embedded store.
      DATABASE_URL: opts.databaseUrl ?? '',
      ...opts.env,
    },
  });
  const stop = async () => {
    await proc.stop();
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
  };
  if (opts.waitReady === false) return { url, port, process: proc, dataDir, stop };
  try {
    await waitFor(
      `incidentd ${url}/readyz to answer 200`,
      async () => {
        if (proc.exited()) throw new Error('incidentd exited before it was ready');
        const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
        return res.status === 200 ? true : undefined;
      },
      { timeoutMs: 60_000, detail: () => `incidentd output:\n${proc.output()}` },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, process: proc, dataDir, stop };
}
