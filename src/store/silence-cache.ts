import { type CompiledSilences, compileSilences, type Labels } from '../core/silence.ts';
import type { Db } from './db.ts';
import { loadUnexpiredSilences } from './silences.ts';

/**
 * The interface the ingest path calls (one load per webhook, then a synchronous match per alert):
 *
 *   const silences = await silenceCache.current();      // no query while the cached set is fresh
 *   const silencedBy = silences.matchAt(alert.labels, now);  // silence id or null; store it in alerts.silenced_by
 *   if (silencedBy) metrics.alertsSilenced.inc({ source }); // the caller counts
 *
 * The cache holds every unexpired silence (active and pending), compiled once (regexes built, equality-indexed);
 * `matchAt` checks each candidate's window against `now`, so a pending silence starts applying at its `startsAt`
 * and an ended one stops at its `endsAt` without a reload. The set is reloaded after `invalidate()` (this replica's
 * API calls it after each change; main.ts calls it on a `silence.changed` event from another replica) and, as a
 * safety net for a missed notification, once it is older than `maxAgeMs`.
 *
 * Wiring (main.ts, with the ingest hook): one cache for the replica, shared by the API and ingest, reloaded on
 * other replicas' changes:
 *
 *   const silenceCache = createSilenceCache({ db: store.db, clock });
 *   bus.subscribe((e) => { if (e.type === 'silence.changed') silenceCache.invalidate(); });
 *   createApp({ …, silences: silenceCache });   // and pass it to the ingest deps
 */
export interface SilenceSet {
  readonly size: number;
  /** The id of the first (oldest) silence active at `now` whose matchers all match these labels, or null. */
  matchAt(labels: Labels, now: Date): string | null;
}

export interface SilenceCache {
  current(): Promise<SilenceSet>;
  /** The next `current()` reloads from the database. */
  invalidate(): void;
}

export interface SilenceCacheDeps {
  db: Db;
  clock: { now(): Date };
  /** Reload a set at least this old even without an invalidation (default 60 s). */
  maxAgeMs?: number;
}

export function createSilenceCache(deps: SilenceCacheDeps): SilenceCache {
  const maxAge = deps.maxAgeMs ?? 60_000;
  let cached: { set: SilenceSet; loadedAt: number } | null = null;
  /** The last compiled set: the next compile reuses its regex programs. */
  let lastCompiled: CompiledSilences | undefined;
  let loading: Promise<SilenceSet> | null = null;
  /** Bumped by every invalidation: a load that started before one must not be kept. */
  let generation = 0;

  function load(): Promise<SilenceSet> {
    if (loading) return loading;
    const started = generation;
    const now = deps.clock.now();
    const promise: Promise<SilenceSet> = loadUnexpiredSilences(deps.db, now)
      .then((silences) => {
        const compiled = compileSilences(silences, lastCompiled);
        lastCompiled = compiled;
        const set: SilenceSet = { size: compiled.size, matchAt: (labels, at) => compiled.match(labels, at) };
        if (started === generation) cached = { set, loadedAt: now.getTime() };
        return set;
      })
      .finally(() => {
        if (loading === promise) loading = null;
      });
    loading = promise;
    return promise;
  }

  return {
    async current() {
      const now = deps.clock.now().getTime();
      if (cached && now - cached.loadedAt < maxAge && now >= cached.loadedAt) return cached.set;
      return load();
    },
    invalidate() {
      generation++;
      cached = null;
      // A load in flight may have read the old rows: the next caller starts a fresh one.
      loading = null;
    },
  };
}
