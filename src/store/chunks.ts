/**
 * Rows per statement on every batched write and keyed read. PostgreSQL refuses a statement with more than
 * 65,535 bind parameters, and on PGlite a statement runs on the event loop: ~1,000 rows keep each one short,
 * so a huge webhook never passes the limit and never freezes `/healthz` for long.
 */
export const CHUNK_ROWS = 1000;

export function chunked<T>(rows: readonly T[], size = CHUNK_ROWS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Runs `write` on consecutive slices of `rows`, one after the other (same transaction, same order). */
export async function inChunks<T>(
  rows: readonly T[],
  write: (chunk: T[]) => Promise<unknown>,
  size = CHUNK_ROWS,
): Promise<void> {
  for (const chunk of chunked(rows, size)) await write(chunk);
}

/** Reads by keys in slices and concatenates the results. */
export async function readInChunks<T, R>(
  keys: readonly T[],
  read: (chunk: T[]) => Promise<R[]>,
  size = CHUNK_ROWS,
): Promise<R[]> {
  const out: R[] = [];
  for (const chunk of chunked(keys, size)) out.push(...(await read(chunk)));
  return out;
}
