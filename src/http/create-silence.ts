import { DomainError } from '../core/errors.ts';
import { type SilenceMatcher, validateSilence } from '../core/silence.ts';
import type { Clock } from '../pipeline/ports.ts';
import type { Db } from '../store/db.ts';
import type { SilenceCache } from '../store/silence-cache.ts';
import { countFiringMatches, insertSilence } from '../store/silences.ts';

/** What creating a silence needs, from the API route and the console form alike. */
export interface SilenceWriteDeps {
  db: Db;
  clock: Clock;
  silences: SilenceCache;
  newId: () => string;
  /** Tells the other replicas (event bus → LISTEN/NOTIFY). */
  announce: (silenceId: string) => void;
}

export interface SilenceRequest {
  matchers: SilenceMatcher[];
  /** Default now; a time in the past means now (as Alertmanager). */
  startsAt?: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
}

/**
 * Validates (every problem, each naming its field: a DomainError 'invalid'), stores, reloads this replica's
 * active set, tells the others, and counts the firing alerts the silence matches now.
 */
export async function createSilence(
  deps: SilenceWriteDeps,
  req: SilenceRequest,
): Promise<{ id: string; matchesNow: number }> {
  const now = deps.clock.now();
  const startsAt = !req.startsAt || req.startsAt < now ? now : req.startsAt;
  const draft = { matchers: req.matchers, startsAt, endsAt: req.endsAt };
  const problems = validateSilence(draft, now);
  if (problems.length > 0) throw new DomainError('invalid', problems.join('; '));
  const silence = await insertSilence(
    deps.db,
    { id: deps.newId(), ...draft, createdBy: req.createdBy, comment: req.comment },
    now,
  );
  deps.silences.invalidate();
  deps.announce(silence.id);
  return { id: silence.id, matchesNow: await countFiringMatches(deps.db, silence.matchers) };
}
