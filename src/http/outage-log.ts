import type { Clock, Logger } from '../pipeline/ports.ts';

/**
 * The log of a database outage: one warning when it starts, then at most one per `intervalMs` counting the
 * failures not logged in between, and one line when the database answers again. Without it, every request
 * during an outage (a webhook retry storm, the console's polling) writes its own warning.
 *
 * Recovery is seen by pinging the database every `pingEveryMs` while the outage lasts (one ping at a time),
 * not by the next request that happens to succeed: a status page served from memory says nothing about it.
 */
export interface OutageLog {
  /** A request failed because the database is unavailable. */
  failure(fields: Record<string, unknown>): void;
  /** Stops the recovery pings (shutdown). */
  close(): void;
}

export function createOutageLog(deps: {
  log: Logger;
  clock: Clock;
  ping: () => Promise<boolean>;
  intervalMs?: number;
  pingEveryMs?: number;
  /** Runs `fn` after `ms` (default: an unref'd setTimeout); returns a cancel function. */
  schedule?: (fn: () => void, ms: number) => () => void;
}): OutageLog {
  const intervalMs = deps.intervalMs ?? 10_000;
  const pingEveryMs = deps.pingEveryMs ?? 2_000;
  const schedule =
    deps.schedule ??
    ((fn, ms) => {
      const t = setTimeout(fn, ms);
      t.unref();
      return () => clearTimeout(t);
    });
  let outage: { since: number; lastLine: number; failures: number; suppressed: number } | null = null;
  let cancel: (() => void) | null = null;
  let closed = false;

  const watch = () => {
    if (closed) return;
    cancel = schedule(async () => {
      cancel = null;
      const up = await deps.ping().catch(() => false);
      if (!outage) return;
      if (!up) return watch();
      const now = deps.clock.now().getTime();
      deps.log.info('database available again', {
        down_for_ms: now - outage.since,
        failed_requests: outage.failures,
      });
      outage = null;
    }, pingEveryMs);
  };

  return {
    failure(fields) {
      const now = deps.clock.now().getTime();
      if (!outage) {
        outage = { since: now, lastLine: now, failures: 1, suppressed: 0 };
        deps.log.warn('database unavailable', fields);
        watch();
        return;
      }
      outage.failures++;
      if (now - outage.lastLine < intervalMs) {
        outage.suppressed++;
        return;
      }
      deps.log.warn('database unavailable', {
        ...fields,
        suppressed: outage.suppressed,
        since: new Date(outage.since).toISOString(),
      });
      outage.lastLine = now;
      outage.suppressed = 0;
    },
    close() {
      closed = true;
      cancel?.();
      cancel = null;
    },
  };
}
