import { expiredCandidateReason } from '../core/candidate.ts';
import { getCandidate, releaseWaiting } from '../store/candidates.ts';
import type { Db } from '../store/db.ts';

/** Candidate groups whose window ran out without open_when holding: their alerts become unrouted, with the reason. */
export async function runExpireCandidates(db: Db, now: Date, batch = 100): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('candidate_groups')
      .select(['rule', 'group_key'])
      .where('expires_at', '<=', now)
      .limit(batch)
      .forUpdate()
      .skipLocked()
      .execute();
    for (const { rule, group_key } of due) {
      const candidate = (await getCandidate(trx, rule, group_key))!;
      const reason = expiredCandidateReason(candidate, now)!;
      await releaseWaiting(trx, [{ rule, groupKey: group_key, reason }]);
      await trx
        .deleteFrom('candidate_groups')
        .where('rule', '=', rule)
        .where('group_key', '=', group_key)
        .execute();
    }
    return due.length;
  });
}
