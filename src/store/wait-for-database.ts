import type { StoreHandle } from './db.ts';
import { DatabaseUnavailableError } from './errors.ts';

/** At start an unreachable PostgreSQL is retried for a while (it may be starting too), then given up on. */
export async function waitForDatabase(
  store: StoreHandle,
  timeoutMs: number,
  url?: string | null,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 200;
  for (;;) {
    if (await store.ping()) return;
    if (Date.now() >= deadline) {
      throw new DatabaseUnavailableError(
        `database unreachable${url ? ` at ${redact(url)}` : ''}${timeoutMs ? ` after ${Math.round(timeoutMs / 1000)}s` : ''}: check DATABASE_URL`,
      );
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 2_000);
  }
}

/** host:port/database of a connection URL, never its password. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
