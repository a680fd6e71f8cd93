import { HTTPException } from 'hono/http-exception';

/**
 * The client went away before its body was complete (a cancelled upload, a dropped connection): nothing to
 * answer and nobody to blame but the network. Not "database unavailable" (its ECONNRESET looked like one),
 * not a 500: callers count it under reason `aborted` and log it at info level. Its response goes nowhere.
 */
export class ClientAbortedError extends HTTPException {
  readonly code = 'client_aborted';
  constructor(cause: unknown) {
    super(400, { message: 'client aborted the request before its body was complete', cause });
    this.name = 'ClientAbortedError';
  }
}

/** Content codings a sender may compress its body with (what `DecompressionStream` decodes). */
const CODINGS = { gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate', identity: null } as const;

function jsonError(status: 400 | 415, error: string, message: string): HTTPException {
  return new HTTPException(status, {
    message,
    res: new Response(JSON.stringify({ error, message }), {
      status,
      headers: { 'content-type': 'application/json' },
    }),
  });
}

/**
 * Reads a request body up to `max` bytes; past that it stops reading and says so (the caller answers 413).
 * A `Content-Encoding: gzip` or `deflate` body is decoded as it streams in, and `max` bounds the decoded size
 * too, so a small compressed bomb gets the same 413 after at most `max` bytes of output. Any other coding is
 * refused with 415, a corrupt compressed body with 400, and a client that disconnects mid-body throws
 * ClientAbortedError.
 */
export async function readBodyLimited(
  req: Request,
  max: number,
): Promise<{ bytes: Uint8Array; tooLarge: boolean }> {
  const codings = (req.headers.get('content-encoding') ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length > 1 || (codings[0] !== undefined && !(codings[0] in CODINGS))) {
    throw jsonError(
      415,
      'unsupported_encoding',
      `Content-Encoding "${req.headers.get('content-encoding')}" is not supported; send the body uncompressed, or as gzip or deflate`,
    );
  }
  const format = codings[0] === undefined ? null : CODINGS[codings[0] as keyof typeof CODINGS];
  const declared = Number(req.headers.get('content-length') ?? Number.NaN);
  if (!req.body) return { bytes: new Uint8Array(), tooLarge: false };
  const reader = req.body.getReader();
  const read = async () => {
    try {
      return await reader.read();
    } catch (err) {
      throw new ClientAbortedError(err);
    }
  };
  if (declared > max) {
    // Cancelling would destroy the socket under the sender, which then sees a reset instead of our 413 (and
    // retries it forever): drop the rest as it comes, up to a bound, while the caller answers.
    void discardRest(reader);
    return { bytes: new Uint8Array(), tooLarge: true };
  }
  const result = format ? await readDecoded(read, format, max) : await readPlain(read, max);
  if (result.tooLarge) void discardRest(reader);
  return { bytes: concat(result.chunks, result.size), tooLarge: result.tooLarge };
}

type Read = () => Promise<ReadableStreamReadResult<Uint8Array>>;
interface Collected {
  chunks: Uint8Array[];
  size: number;
  tooLarge: boolean;
}

/** Adds `value` to `into` up to `max` bytes in all; true once past it. */
function collect(into: Collected, value: Uint8Array, max: number): boolean {
  if (into.size + value.byteLength > max) {
    into.chunks.push(value.subarray(0, max - into.size));
    into.size = max;
    into.tooLarge = true;
  } else {
    into.chunks.push(value);
    into.size += value.byteLength;
  }
  return into.tooLarge;
}

async function readPlain(read: Read, max: number): Promise<Collected> {
  const out: Collected = { chunks: [], size: 0, tooLarge: false };
  for (;;) {
    const { done, value } = await read();
    if (done || collect(out, value, max)) return out;
  }
}

/**
 * Pumps the body through a DecompressionStream while reading its output; stops at `max` decoded bytes. A
 * ClientAbortedError from the body passes through; a decoding failure is a 400.
 */
async function readDecoded(read: Read, format: 'gzip' | 'deflate', max: number): Promise<Collected> {
  const decoder = new DecompressionStream(format);
  const writer = decoder.writable.getWriter();
  const output = decoder.readable.getReader();
  let aborted: ClientAbortedError | null = null;
  let stopped = false;
  const pump = (async () => {
    for (;;) {
      const { done, value } = await read();
      if (stopped) return;
      if (done) return await writer.close();
      await writer.write(value as Uint8Array<ArrayBuffer>);
    }
  })().catch((err: unknown) => {
    if (err instanceof ClientAbortedError) aborted = err;
    // Ends the output side too, so the loop below does not wait forever.
    writer.abort(err).catch(() => {});
  });
  const out: Collected = { chunks: [], size: 0, tooLarge: false };
  try {
    for (;;) {
      const { done, value } = await output.read();
      if (done || collect(out, value, max)) break;
    }
  } catch (err) {
    if (aborted) throw aborted;
    if (err instanceof ClientAbortedError) throw err;
    throw jsonError(400, 'invalid', `body: not valid ${format} data (Content-Encoding: ${format})`);
  } finally {
    stopped = true;
    output.cancel().catch(() => {});
  }
  if (!out.tooLarge) await pump;
  if (aborted) throw aborted;
  return out;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

/** Past this many discarded bytes the connection is cut after all. */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024;

async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let discarded = 0;
  try {
    while (discarded <= MAX_DISCARD_BYTES) {
      const { done, value } = await reader.read();
      if (done) return;
      discarded += value.byteLength;
    }
  } catch {
    return;
  }
  await reader.cancel().catch(() => {});
}
