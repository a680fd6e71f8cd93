import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockAddress, lockDataDir } from './data-dir-lock.ts';
import { lockPgliteDir, openStore } from './db.ts';
import { DatabaseUnavailableError } from './errors.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'incidentd-lock-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Another process that takes the lock of `address`, says so, and then waits to be killed. */
async function holderProcess(address: string): Promise<ChildProcess> {
  const script = `import('${join(import.meta.dirname, 'data-dir-lock.ts')}').then(async (m) => {
    const lock = await m.lockDataDir(${JSON.stringify(address)});
    process.stdout.write(lock.ok ? 'held\\n' : 'refused\\n');
    setInterval(() => {}, 1000);
  });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const first = await new Promise<string>((resolve) => child.stdout!.once('data', (d) => resolve(String(d))));
  expect(first.trim()).toBe('held');
  return child;
}

describe('DATA_DIR lock', () => {
  it('a stale incidentd.pid naming a live unrelated process does not block start', async () => {
    const dir = tempDir();
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(sleeper);
    writeFileSync(join(dir, 'incidentd.pid'), String(sleeper.pid));
    const release = await lockPgliteDir(dir);
    expect(existsSync(join(dir, 'incidentd.pid'))).toBe(false);
    await release();
  });

  it('a second store on the same directory is refused, and the first one releases it', async () => {
    const dir = tempDir();
    const release = await lockPgliteDir(dir);
    try {
      await expect(lockPgliteDir(dir)).rejects.toThrow(
        `is in use by incidentd process ${process.pid}; embedded storage is single-process`,
      );
      await expect(openStore({ databaseUrl: null, dataDir: dir })).rejects.toThrow(DatabaseUnavailableError);
    } finally {
      await release();
    }
    await (await lockPgliteDir(dir))();
  });

  for (const platform of ['linux', 'darwin'] as const) {
    it(`(${platform} address) a live holder in another process blocks; once it is killed the lock is free`, async () => {
      const dir = tempDir();
      const address = lockAddress(dir, platform);
      const child = await holderProcess(address);
      expect(await lockDataDir(address)).toEqual({ ok: false, holder: child.pid });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const lock = await lockDataDir(address);
      expect(lock.ok).toBe(true);
      if (lock.ok) await lock.release();
    });
  }

  it('two paths to one directory share a lock', async () => {
    const dir = tempDir();
    const lock = await lockDataDir(lockAddress(dir));
    try {
      expect((await lockDataDir(lockAddress(join(dir, '.')))).ok).toBe(false);
    } finally {
      if (lock.ok) await lock.release();
    }
  });
});
