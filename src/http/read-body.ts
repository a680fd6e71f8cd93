/** Reads a request body up to `max` bytes; past that it stops reading and says so (the caller answers 413). */
export async function readBodyLimited(
  req: Request,
  max: number,
): Promise<{ bytes: Uint8Array; tooLarge: boolean }> {
  const declared = Number(req.headers.get('content-length') ?? Number.NaN);
  if (!req.body) return { bytes: new Uint8Array(), tooLarge: false };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let tooLarge = declared > max;
  while (!tooLarge) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > max) {
      chunks.push(value.subarray(0, max - size));
      size = max;
      tooLarge = true;
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  // Cancelling would destroy the socket under the sender, which then sees a reset instead of our 413 (and
  // retries it forever): drop the rest as it comes, up to a bound, while the caller answers.
  if (tooLarge) void discardRest(reader);
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return { bytes, tooLarge };
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
