import type { ComponentStatus } from '../core/component-status.ts';
import { localDateOf, startOfLocalDay } from '../core/local-time.ts';
import type { Clock, Logger } from '../pipeline/ports.ts';
import { buildStatusSnapshot, type StatusSnapshot, type StatusSnapshotInput } from './status-snapshot.ts';

/**
 * Holds the current status snapshot in memory, so readers (page, JSON, feed) cost no queries. A rebuild reads
 * the store once, builds the snapshot, and reconciles component status intervals (uptime history) with what
 * it computed. Rebuilds are debounced (changes within `debounceMs` coalesce into one) and serialized (never two
 * at once). Time alone changes the page at maintenance start/end, at local midnight, and (uptime minutes) every
 * minute while a component is not operational: a timer rebuilds then.
 */

export interface SnapshotSource {
  load(now: Date): Promise<StatusSnapshotInput>;
  /**
   * Writes interval changes where `desired` differs from the open intervals in `input`; returns true when it
   * wrote something (the service then reloads and rebuilds).
   */
  reconcile(input: StatusSnapshotInput, desired: Map<string, ComponentStatus>, now: Date): Promise<boolean>;
}

export interface SnapshotService {
  /** The current snapshot, or null before the first build. */
  current(): StatusSnapshot | null;
  /** The current snapshot, waiting for the first build if needed. */
  get(): Promise<StatusSnapshot>;
  /** Something changed: rebuild soon (debounced). */
  invalidate(): void;
  /** Rebuild now (after any pending one) and return the result. */
  rebuild(): Promise<StatusSnapshot>;
  /** Runs a pending debounced rebuild at once and waits until none is in flight (tests, shutdown). */
  flush(): Promise<void>;
  /** Called after a rebuild whose version differs from the previous snapshot's. */
  onChange(listener: (next: StatusSnapshot, previous: StatusSnapshot | null) => void): () => void;
  /** How many rebuilds ran (tests, bench). */
  rebuilds(): number;
  stop(): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
const DEGRADED_REFRESH_MS = 60_000;

export function createSnapshotService(deps: {
  source: SnapshotSource;
  clock: Clock;
  log: Logger;
  debounceMs?: number;
}): SnapshotService {
  const { source, clock, log } = deps;
  const debounceMs = deps.debounceMs ?? 50;
  let snapshot: StatusSnapshot | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  let inFlight = 0;
  let debounce: NodeJS.Timeout | null = null;
  let lastStart = Number.NEGATIVE_INFINITY;
  let boundaryTimer: NodeJS.Timeout | null = null;
  let nextBoundary = Number.POSITIVE_INFINITY;
  let retryMs = 1000;
  let retryTimer: NodeJS.Timeout | null = null;
  let count = 0;
  let stopped = false;
  let first: Promise<StatusSnapshot> | null = null;
  const listeners = new Set<(next: StatusSnapshot, previous: StatusSnapshot | null) => void>();

  async function build(): Promise<StatusSnapshot> {
    const now = clock.now();
    let input = await source.load(now);
    let next = buildStatusSnapshot(input, now);
    const desired = new Map(next.components.map((c) => [c.id, c.status]));
    if (await source.reconcile(input, desired, now)) {
      input = await source.load(now);
      next = buildStatusSnapshot(input, now);
    }
    count++;
    const previous = snapshot;
    snapshot = next;
    scheduleBoundary(next, now);
    retryMs = 1000;
    if (previous?.version !== next.version) {
      for (const l of listeners) {
        try {
          l(next, previous);
        } catch (err) {
          log.error('snapshot listener failed', { error: err });
        }
      }
    }
    return next;
  }

  function rebuild(): Promise<StatusSnapshot> {
    inFlight++;
    const run = chain.then(build);
    chain = run
      .catch((err) => {
        log.error('status snapshot rebuild failed', { error: err });
        // Keep serving the last snapshot; try again with backoff (the store may be down).
        if (!stopped && !retryTimer) {
          retryTimer = setTimeout(() => {
            retryTimer = null;
            invalidate();
          }, retryMs);
          retryTimer.unref();
          retryMs = Math.min(retryMs * 2, 30_000);
        }
      })
      .finally(() => {
        inFlight--;
      });
    return run;
  }

  /**
   * Leading-edge debounce: after a quiet spell the first change rebuilds on the next turn of the event loop
   * (changes of the same turn still coalesce), so one change is on the page without waiting; a stream of
   * changes rebuilds at most once per debounceMs.
   */
  function invalidate(): void {
    if (stopped || debounce) return;
    const wait = Math.max(0, lastStart + debounceMs - performance.now());
    debounce = setTimeout(() => {
      debounce = null;
      lastStart = performance.now();
      void rebuild().catch(() => {});
    }, wait);
    debounce.unref();
  }

  /** Next instant at which time alone changes the page: a maintenance edge or local midnight. */
  function scheduleBoundary(s: StatusSnapshot, now: Date): void {
    const nowMs = now.getTime();
    const today = localDateOf(nowMs, s.page.timeZone);
    const tomorrow = new Date(Date.UTC(today.y, today.m - 1, today.d + 1));
    let next = startOfLocalDay(
      { y: tomorrow.getUTCFullYear(), m: tomorrow.getUTCMonth() + 1, d: tomorrow.getUTCDate() },
      s.page.timeZone,
    );
    for (const m of s.maintenances) {
      for (const t of [m.scheduledFor.getTime(), m.scheduledUntil.getTime()])
        if (t > nowMs && t < next) next = t;
    }
    // While something is down, today's uptime minutes grow: refresh them every minute.
    if (s.components.some((c) => c.status !== 'operational'))
      next = Math.min(next, nowMs + DEGRADED_REFRESH_MS);
    nextBoundary = next;
    if (boundaryTimer) clearTimeout(boundaryTimer);
    if (stopped) return;
    boundaryTimer = setTimeout(invalidate, Math.min(Math.max(next - nowMs, 0) + 10, MAX_TIMER_MS));
    boundaryTimer.unref();
  }

  return {
    current() {
      // A clock moved past a boundary without the timer (simulated time, a suspended laptop): catch up.
      if (snapshot && clock.now().getTime() >= nextBoundary) {
        nextBoundary = Number.POSITIVE_INFINITY;
        invalidate();
      }
      return snapshot;
    },
    get() {
      if (snapshot) return Promise.resolve(this.current()!);
      first ??= rebuild().finally(() => {
        first = null;
      });
      return first;
    },
    invalidate,
    rebuild,
    async flush() {
      if (debounce) {
        clearTimeout(debounce);
        debounce = null;
        await rebuild().catch(() => {});
      }
      while (inFlight > 0) await chain;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    rebuilds: () => count,
    stop() {
      stopped = true;
      for (const t of [debounce, boundaryTimer, retryTimer]) if (t) clearTimeout(t);
      debounce = boundaryTimer = retryTimer = null;
    },
  };
}
