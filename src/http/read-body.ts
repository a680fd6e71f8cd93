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
  if (tooLarge) await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return { bytes, tooLarge };
}
