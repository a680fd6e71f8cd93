import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, type Spawned, startProcess, waitFor } from './processes.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

export interface RunningIncidentd {
  url: string;
  port: number;
  process: Spawned;
  stop(): Promise<void>;
}

/** incidentd as users run it (`tsx src/cli.ts serve`) on a free loopback port and a fresh data directory. */
export async function startIncidentd(tokens: { ingest: string; admin: string }): Promise<RunningIncidentd> {
  const dataDir = await mkdtemp(join(tmpdir(), 'incidentd-e2e-data-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess('incidentd', join(ROOT, 'node_modules/.bin/tsx'), ['src/cli.ts', 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      INCIDENTD_INGEST_TOKEN: tokens.ingest,
      INCIDENTD_ADMIN_TOKEN: tokens.admin,
      // The parent's DATABASE_URL must not redirect the child away from its own embedded store.
      DATABASE_URL: '',
    },
  });
  const stop = async () => {
    await proc.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
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
  return { url, port, process: proc, stop };
}
