import { type Selectable, sql } from 'kysely';
import type { SlaClock, SlaTarget } from '../core/sla.ts';
import { inChunks, readInChunks } from './chunks.ts';
import type { Db, Trx } from './db.ts';
import type { SlaClocksTable } from './schema.ts';

const d = (v: Date | string | null) => (v === null ? null : new Date(v));

function clockFromRow(r: Selectable<SlaClocksTable>): SlaClock {
  return {
    id: Number(r.id),
    incidentId: r.incident_id,
    target: r.target as SlaTarget,
    tier: r.tier,
    startedAt: new Date(r.started_at),
    dueAt: new Date(r.due_at),
    warnAt: new Date(r.warn_at),
    metAt: d(r.met_at),
    breachedAt: d(r.breached_at),
    warnedAt: d(r.warned_at),
    cancelledAt: d(r.cancelled_at),
  };
}

function toRow(c: SlaClock) {
  return {
    incident_id: c.incidentId,
    target: c.target,
    tier: c.tier,
    started_at: c.startedAt,
    due_at: c.dueAt,
    warn_at: c.warnAt,
    met_at: c.metAt,
    breached_at: c.breachedAt,
    warned_at: c.warnedAt,
    cancelled_at: c.cancelledAt,
  };
}

/** `forUpdate`: before recomputing, so a concurrent SLA job's firing is seen, not overwritten. */
export async function listClocks(
  db: Db | Trx,
  incidentIds: string[],
  opts: { forUpdate?: boolean } = {},
): Promise<SlaClock[]> {
  const rows = await readInChunks(incidentIds, (chunk) => {
    let q = db.selectFrom('sla_clocks').selectAll().where('incident_id', 'in', chunk).orderBy('id');
    if (opts.forUpdate) q = q.forUpdate();
    return q.execute();
  });
  return rows.map(clockFromRow);
}

/** Writes reconciled clocks; updates first so a restarted clock never meets its predecessor in the unique index. */
export async function saveClocks(trx: Trx, clocks: SlaClock[]): Promise<void> {
  const updates = clocks.filter((x) => x.id !== null).map((c) => ({ id: c.id, ...toRow(c) }));
  await inChunks(updates, (chunk) =>
    sql`
      update sla_clocks set tier = v.tier, started_at = v.started_at, due_at = v.due_at, warn_at = v.warn_at,
        met_at = v.met_at, breached_at = v.breached_at, warned_at = v.warned_at, cancelled_at = v.cancelled_at
      from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as v(id bigint, tier text, started_at timestamptz,
           due_at timestamptz, warn_at timestamptz, met_at timestamptz, breached_at timestamptz,
           warned_at timestamptz, cancelled_at timestamptz)
      where sla_clocks.id = v.id`.execute(trx),
  );
  const inserts = clocks.filter((x) => x.id === null).map(toRow);
  await inChunks(inserts, (chunk) => trx.insertInto('sla_clocks').values(chunk).execute());
}

/**
 * Claims running clocks whose warning or breach instant has passed. `skip locked`: with several replicas
 * each clock is claimed by exactly one of them; the claimer marks it in the same transaction.
 */
export async function claimDueClocks(trx: Trx, now: Date, batch: number): Promise<SlaClock[]> {
  const rows = await trx
    .selectFrom('sla_clocks')
    .selectAll()
    .where('met_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .where('breached_at', 'is', null)
    .where('warn_at', '<=', now)
    .where((eb) => eb.or([eb('warned_at', 'is', null), eb('due_at', '<=', now)]))
    .orderBy('warn_at')
    .orderBy('id')
    .limit(batch)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map(clockFromRow);
}
