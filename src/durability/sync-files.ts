import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** fsync of a file, or of a directory (then the names created, renamed or removed in it survive a crash). */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface TreeSync {
  /** fsyncs every file and directory below the root that changed since the last call (all of them at first). */
  sync(): Promise<{ files: number; directories: number }>;
}

/**
 * Makes a directory tree durable, for a store that writes its files without ever syncing them (embedded
 * PGlite). A file or directory counts as changed when its size, mtime or ctime (nanoseconds) moved since
 * the last sync; the first sync of a run covers everything, as the previous run may have left dirty pages.
 */
export function createTreeSync(
  root: string,
  opts: { skip?: (path: string) => boolean; concurrency?: number } = {},
): TreeSync {
  let seen = new Map<string, string>();
  return {
    async sync() {
      const files: string[] = [];
      const directories: string[] = [];
      const visit = async (dir: string) => {
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (opts.skip?.(path)) continue;
          if (entry.isDirectory()) await visit(path);
          else if (entry.isFile()) files.push(path);
        }
        directories.push(dir);
      };
      await visit(root);
      const next = new Map<string, string>();
      // Two at once: the file system folds concurrent syncs into fewer journal commits, and libuv's other two
      // threads stay free for the intake journal's own writes and fdatasyncs.
      const count = async (paths: string[]) => {
        let synced = 0;
        let at = 0;
        const worker = async () => {
          while (at < paths.length) if (await syncIfChanged(paths[at++]!, seen, next)) synced++;
        };
        await Promise.all(Array.from({ length: opts.concurrency ?? 2 }, worker));
        return synced;
      };
      // Files first, then their directories: the names are final for this round once the files are.
      const result = { files: await count(files), directories: await count(directories) };
      seen = next;
      return result;
    },
  };
}

async function syncIfChanged(path: string, seen: Map<string, string>, next: Map<string, string>) {
  let stamp: string;
  try {
    const s = await lstat(path, { bigint: true });
    stamp = `${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (err) {
    // Removed while we walked (a recycled WAL segment): its directory's sync records that.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  next.set(path, stamp);
  if (seen.get(path) === stamp) return false;
  try {
    await fsyncPath(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      next.delete(path);
      return false;
    }
    throw err;
  }
  return true;
}
