import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A free loopback port: bind to 0, read it, release it (a tiny race we accept in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Absolute path of an executable on PATH, or null. */
export function which(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

export interface Spawned {
  name: string;
  child: ChildProcess;
  /** The last 64 KiB of stdout and stderr, for failure messages. */
  output(): string;
  exited(): boolean;
  stop(graceMs?: number): Promise<void>;
}

const KEEP = 64 * 1024;

/**
 * Starts a command in its own process group, so stop() also reaches grandchildren
 * (tsx runs the program in a child node process): SIGTERM, then SIGKILL after a grace period.
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Spawned {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-KEEP);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exitedFlag = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      append(Buffer.from(`\n[${name} exited: ${signal ?? `code ${code}`}]\n`));
      resolve();
    });
    child.once('error', (err) => {
      exitedFlag = true;
      append(Buffer.from(`\n[${name} failed to start: ${err.message}]\n`));
      resolve();
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {}
  };
  return {
    name,
    child,
    output: () => log,
    exited: () => exitedFlag,
    stop: async (graceMs = 5_000) => {
      if (!exitedFlag) {
        signalGroup('SIGTERM');
        await Promise.race([exit, sleep(graceMs)]);
      }
      // The leader may be gone while a grandchild lingers: always finish the group off.
      signalGroup('SIGKILL');
      await Promise.race([exit, sleep(1_000)]);
    },
  };
}

/** Polls until `probe` returns a value, at most `timeoutMs`; the error names what was awaited. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs?: number; intervalMs?: number; detail?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const why = last instanceof Error ? ` (last error: ${last.message})` : '';
      const detail = opts.detail ? `\n${opts.detail()}` : '';
      throw new Error(`timed out after ${opts.timeoutMs ?? 30_000} ms waiting for ${what}${why}${detail}`);
    }
    await sleep(opts.intervalMs ?? 250);
  }
}

/**
 * Waits until a daemon started with `startProcess` answers 200 on `readyUrl` (Alertmanager's and Prometheus'
 * `/-/ready`); if it exits or never gets ready, runs `cleanup` and throws with its output.
 */
export async function waitUntilReady(
  name: string,
  proc: Spawned,
  readyUrl: string,
  cleanup: () => Promise<void>,
): Promise<void> {
  try {
    await waitFor(
      `${name} ${readyUrl} to answer 200`,
      async () => {
        if (proc.exited()) throw new Error(`${name} exited before it was ready`);
        const res = await fetch(readyUrl, { signal: AbortSignal.timeout(2_000) });
        return res.status === 200 ? true : undefined;
      },
      { timeoutMs: 30_000, detail: () => `${name} output:\n${proc.output()}` },
    );
  } catch (err) {
    await cleanup();
    throw err;
  }
}
