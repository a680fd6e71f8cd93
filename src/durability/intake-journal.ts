import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeFrames, encodeFrame, type IntakeRecord } from './journal-frame.ts';
import { fsyncPath } from './sync-files.ts';

/**
 * The intake journal: accepted webhook bodies, appended and fdatasync'ed before the 2xx, so an acknowledged
 * alert survives an OS crash while the embedded database does not sync its own files. Appends waiting at
 * the same moment share one write and one fdatasync (group commit).
 *
 * Segments: `intake-NNNNNN.journal` in one directory; appends go to the newest. A checkpoint starts a new
 * segment, waits until every request whose record is in an older one has finished, makes the database durable
 * (`persist`), then deletes the older segments. What a crash leaves behind is read back with `recover()`.
 */
export interface IntakeJournal {
  /**
   * Appends a record for the request `key` and resolves once it is on disk. The record counts as in flight
   * until `release(key)`: a checkpoint never deletes it before its request is done with the database.
   */
  append(key: object, record: IntakeRecord): Promise<void>;
  /** The request `key` is finished (committed, rejected or failed): its record may go at the next checkpoint. */
  release(key: object): void;
  /** Bytes appended since the last checkpoint. */
  pendingBytes(): number;
  /** Records left by an earlier run (every segment but the one this run appends to), oldest first. */
  recover(): Promise<{ records: IntakeRecord[]; tornBytes: number; segments: number }>;
  /** Starts a new segment, waits for the older ones' requests, runs `persist`, then deletes the older segments. */
  checkpoint(persist: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export interface JournalOptions {
  /** Called after each fdatasync, before its appends resolve (test-only fault injection). */
  onSynced?: () => void;
}

interface Segment {
  seq: number;
  path: string;
  file: Awaited<ReturnType<typeof open>> | null;
  /** Bytes known to be whole frames on disk. */
  bytes: number;
  inFlight: Set<object>;
  drained: (() => void)[];
}

interface Waiting {
  key: object;
  frame: Buffer;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const NAME = /^intake-(\d+)\.journal$/;
const segmentName = (seq: number) => `intake-${String(seq).padStart(6, '0')}.journal`;

export async function openIntakeJournal(dir: string, opts: JournalOptions = {}): Promise<IntakeJournal> {
  await mkdir(dir, { recursive: true });
  const found = (await readdir(dir))
    .map((name) => NAME.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const segment = (seq: number): Segment => ({
    seq,
    path: join(dir, segmentName(seq)),
    file: null,
    bytes: 0,
    inFlight: new Set(),
    drained: [],
  });
  /** Older segments first; the last one takes the appends. */
  const segments: Segment[] = found.map(segment);
  /** Synchronous, so a rotation takes effect at once; the file is created by the first write to it. */
  const startSegment = (seq: number) => {
    const s = segment(seq);
    segments.push(s);
    return s;
  };
  const createFile = async (s: Segment) => {
    s.file = await open(s.path, 'a');
    // The new name must survive a crash too, or fdatasync'ed frames would sit in an unreachable file.
    await fsyncPath(dir);
  };
  let current = startSegment((found.at(-1) ?? 0) + 1);
  await createFile(current);
  const recovered = segments.slice(0, -1);
  const owner = new Map<object, Segment>();
  let waiting: Waiting[] = [];
  let flushing: Promise<void> | null = null;
  let failed: unknown = null;
  let checkpoints: Promise<void> = Promise.resolve();
  let closed = false;

  const flush = async () => {
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      const seg = current;
      // Registered before the first await: a checkpoint that rotates meanwhile waits for these requests.
      for (const w of batch) {
        seg.inFlight.add(w.key);
        owner.set(w.key, seg);
      }
      const frames = batch.map((w) => w.frame);
      const total = frames.reduce((n, f) => n + f.byteLength, 0);
      try {
        if (failed) throw failed;
        if (!seg.file) await createFile(seg);
        await writeAll(seg, frames, total);
        await seg.file!.datasync();
        seg.bytes += total;
        opts.onSynced?.();
        for (const w of batch) w.resolve();
      } catch (err) {
        // A partial frame would hide every later one from recovery: cut back to the last whole frame.
        await seg.file?.truncate(seg.bytes).catch((truncateError: unknown) => (failed ??= truncateError));
        for (const w of batch) w.reject(err);
      }
    }
    flushing = null;
  };

  const release = (key: object) => {
    const seg = owner.get(key);
    if (!seg) return;
    owner.delete(key);
    seg.inFlight.delete(key);
    if (seg.inFlight.size === 0) for (const done of seg.drained.splice(0)) done();
  };

  /** Synchronous: appends from now on go to a new segment (unless the current one is still empty). */
  const rotate = () => {
    if (current.bytes > 0 || current.inFlight.size > 0) current = startSegment(current.seq + 1);
    return segments.filter((s) => s !== current);
  };
  const runCheckpoint = async (older: Segment[], persist: () => Promise<void>) => {
    // Every record of an older segment belongs to a request that is done: its batch is written, and its
    // transaction committed (or failed, and the sender was told to retry).
    await Promise.all(
      older.map((s) =>
        s.inFlight.size === 0 ? undefined : new Promise<void>((resolve) => s.drained.push(resolve)),
      ),
    );
    await persist();
    for (const s of older) {
      if (!segments.includes(s)) continue; // an earlier checkpoint's
      await s.file?.close();
      s.file = null;
      await unlink(s.path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      segments.splice(segments.indexOf(s), 1);
    }
    // Not needed for safety (a record that comes back is replayed idempotently), but keeps the directory tidy.
    if (older.length > 0) await fsyncPath(dir);
  };

  return {
    append(key, record) {
      if (closed) return Promise.reject(new Error('intake journal is closed'));
      const frame = encodeFrame(record);
      return new Promise<void>((resolve, reject) => {
        waiting.push({ key, frame, resolve, reject });
        flushing ??= flush();
      });
    },
    release,
    pendingBytes: () => segments.reduce((n, s) => n + s.bytes, 0),
    async recover() {
      const records: IntakeRecord[] = [];
      let tornBytes = 0;
      for (const s of recovered) {
        const decoded = decodeFrames(await readFile(s.path));
        records.push(...decoded.records);
        tornBytes += decoded.tornBytes;
      }
      return { records, tornBytes, segments: recovered.length };
    },
    checkpoint(persist) {
      // One at a time; a request while one runs waits for it, then runs its own (its records may be newer).
      const older = rotate();
      const next = checkpoints.then(() => runCheckpoint(older, persist));
      checkpoints = next.catch(() => {});
      return next;
    },
    async close() {
      closed = true;
      await flushing;
      await checkpoints;
      for (const s of segments) {
        await s.file?.close();
        s.file = null;
      }
    },
  };
}

async function writeAll(seg: Segment, frames: Buffer[], total: number): Promise<void> {
  const { bytesWritten } = await seg.file!.writev(frames);
  if (bytesWritten === total) return;
  // Short write (rare on regular files): write the rest in one piece.
  const rest = Buffer.concat(frames).subarray(bytesWritten);
  let at = 0;
  while (at < rest.byteLength) at += (await seg.file!.write(rest, at)).bytesWritten;
}
