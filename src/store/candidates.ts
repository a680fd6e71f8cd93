import { type Selectable, sql } from 'kysely';
import type { CandidateGroup } from '../core/candidate.ts';
import type { GroupRef } from '../core/route-plan.ts';
import { inChunks, readInChunks } from './chunks.ts';
import type { Trx } from './db.ts';
import type { CandidateGroupsTable } from './schema.ts';

/** Group refs as one JSON parameter, for jsonb_to_recordset(…) as v(r text, g text). */
export const groupsJson = (groups: GroupRef[]) =>
  JSON.stringify(groups.map((g) => ({ r: g.rule, g: g.groupKey })));

function candidateFromRow(r: Selectable<CandidateGroupsTable>): CandidateGroup {
  return {
    rule: r.rule,
    groupKey: r.group_key,
    firstAt: new Date(r.first_at),
    expiresAt: new Date(r.expires_at),
    firstAlertStartsAt: new Date(r.first_alert_starts_at),
    alertIds: r.alert_ids,
    customers: r.customers,
    alertCount: r.alert_count,
    firingCount: r.firing_count,
  };
}

export async function getCandidate(trx: Trx, rule: string, groupKey: string): Promise<CandidateGroup | null> {
  const r = await trx
    .selectFrom('candidate_groups')
    .selectAll()
    .where('rule', '=', rule)
    .where('group_key', '=', groupKey)
    .executeTakeFirst();
  return r ? candidateFromRow(r) : null;
}

/** Upserts candidate groups by (rule, group key), in slices. */
export async function putCandidates(trx: Trx, candidates: CandidateGroup[]): Promise<void> {
  await inChunks(candidates, async (chunk) => {
    const rows = chunk.map((c) => ({
      rule: c.rule,
      group_key: c.groupKey,
      first_at: c.firstAt,
      expires_at: c.expiresAt,
      first_alert_starts_at: c.firstAlertStartsAt,
      alert_ids: c.alertIds,
      customers: c.customers,
      alert_count: c.alertCount,
      firing_count: c.firingCount,
    }));
    await sql`
      insert into candidate_groups (rule, group_key, first_at, expires_at, first_alert_starts_at, alert_ids,
                                    firing_alert_ids, customers, alert_count, firing_count)
      select v.rule, v.group_key, v.first_at, v.expires_at, v.first_alert_starts_at, v.alert_ids, '[]'::jsonb,
             v.customers, v.alert_count, v.firing_count
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(rule text, group_key text, first_at timestamptz,
           expires_at timestamptz, first_alert_starts_at timestamptz, alert_ids jsonb, customers jsonb,
           alert_count integer, firing_count integer)
      on conflict (rule, group_key) do update set first_at = excluded.first_at, expires_at = excluded.expires_at,
        first_alert_starts_at = excluded.first_alert_starts_at, alert_ids = excluded.alert_ids,
        customers = excluded.customers, alert_count = excluded.alert_count,
        firing_count = excluded.firing_count`.execute(trx);
  });
}

export async function deleteCandidates(trx: Trx, groups: GroupRef[]): Promise<void> {
  await inChunks(groups, (chunk) =>
    sql`
      delete from candidate_groups c using jsonb_to_recordset(${groupsJson(chunk)}::jsonb) as v(r text, g text)
      where c.rule = v.r and c.group_key = v.g`.execute(trx),
  );
}

/** Routing outcome for alerts that joined no incident: which rule saw them and why they wait or were dropped. */
export async function markUnrouted(trx: Trx, rows: UnroutedRow[]) {
  await inChunks(rows, (chunk) =>
    sql`
    update alerts set rule = v.rule, group_key = v.group_key, unrouted_reason = v.reason, waiting = v.waiting
    from jsonb_to_recordset(${JSON.stringify(chunk.map((r) => ({ id: r.id, rule: r.rule, group_key: r.groupKey, reason: r.reason, waiting: r.waiting ?? false })))}::jsonb)
      as v(id text, rule text, group_key text, reason text, waiting boolean)
    where alerts.id = v.id and alerts.incident_id is null`.execute(trx),
  );
}

export interface UnroutedRow {
  id: string;
  rule: string | null;
  groupKey: string | null;
  reason: string;
  /** Waits in the candidate group (rule, groupKey). */
  waiting?: boolean;
}

/** The alerts waiting in each group's candidate, oldest first: read when the candidate opens. */
export async function listWaiting(trx: Trx, groups: GroupRef[]): Promise<Map<string, string[]>> {
  const rows = await readInChunks(groups, async (chunk) => {
    const result = await sql<{ id: string; rule: string; group_key: string }>`
      select a.id, a.rule, a.group_key from jsonb_to_recordset(${groupsJson(chunk)}::jsonb) as v(r text, g text)
      join alerts a on a.rule = v.r and a.group_key = v.g and a.waiting and a.incident_id is null
      order by a.first_seen_at, a.id`.execute(trx);
    return result.rows;
  });
  const found = new Map<string, string[]>();
  for (const r of rows) {
    const key = `${r.rule}\n${r.group_key}`;
    const list = found.get(key);
    if (list) list.push(r.id);
    else found.set(key, [r.id]);
  }
  return found;
}

/** A candidate died: its waiting alerts stop waiting and show why they never opened an incident. */
export async function releaseWaiting(trx: Trx, groups: (GroupRef & { reason: string })[]): Promise<void> {
  await inChunks(groups, (chunk) =>
    sql`
      update alerts set waiting = false, unrouted_reason = v.reason
      from jsonb_to_recordset(${JSON.stringify(chunk.map((g) => ({ r: g.rule, g: g.groupKey, reason: g.reason })))}::jsonb)
        as v(r text, g text, reason text)
      where alerts.rule = v.r and alerts.group_key = v.g and alerts.waiting and alerts.incident_id is null`.execute(
      trx,
    ),
  );
}

export async function getCandidates(trx: Trx, groups: GroupRef[]): Promise<Map<string, CandidateGroup>> {
  const rows = await readInChunks(groups, async (chunk) => {
    const result = await sql<Selectable<CandidateGroupsTable>>`
      select c.* from jsonb_to_recordset(${groupsJson(chunk)}::jsonb) as v(r text, g text)
      join candidate_groups c on c.rule = v.r and c.group_key = v.g`.execute(trx);
    return result.rows;
  });
  return new Map(rows.map((r) => [`${r.rule}\n${r.group_key}`, candidateFromRow(r)]));
}
