import { statSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';

export type DataDirLock = { ok: true; release: () => Promise<void> } | { ok: false; holder: number | null };

/**
 * Where the lock of a data directory lives. On Linux an abstract Unix socket named after the directory's
 * device and inode (so two paths to one directory share it): the kernel frees it when the holder dies,
 * even by SIGKILL, and nothing is left behind on disk. Elsewhere a socket file in the directory.
 */
export function lockAddress(dataDir: string, platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'linux') return join(dataDir, 'incidentd.sock');
  const { dev, ino } = statSync(dataDir);
  return `\0incidentd-data-dir:${dev}:${ino}`;
}

/**
 * Holds `address` for as long as this process lives (or until release). Binding a socket is exclusive
 * and ends with the process, unlike a pid file, whose pid may since name an unrelated process. Whoever
 * connects is told the holder's pid, for the error message.
 */
export async function lockDataDir(address: string): Promise<DataDirLock> {
  const server = createServer((socket) => socket.end(String(process.pid)));
  server.unref();
  const bound = await listen(server, address);
  if (bound === 'ok') return { ok: true, release: () => close(server) };
  const holder = await askHolder(address);
  if (holder !== 'gone') return { ok: false, holder };
  // A socket file left by a process that died: nobody answers on it, so it is free to take over.
  if (!address.startsWith('\0')) unlinkSync(address);
  return (await listen(server, address)) === 'ok'
    ? { ok: true, release: () => close(server) }
    : { ok: false, holder: null };
}

function listen(server: Server, address: string): Promise<'ok' | 'in-use'> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') resolve('in-use');
      else reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve('ok');
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(address);
  });
}

/** The pid a live holder answers with (null if it says nothing readable), or 'gone' when nobody listens. */
function askHolder(address: string): Promise<number | null | 'gone'> {
  return new Promise((resolve) => {
    let text = '';
    const socket = createConnection(address);
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? 'gone' : null),
    );
    socket.on('close', () => resolve(Number(text) || null));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
