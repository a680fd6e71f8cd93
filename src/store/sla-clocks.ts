import type { Selectable } from 'kysely';
import type { SlaClock, SlaTarget } from '../core/sla.ts';
import type { Trx } from './alerts.ts';
import type { Db } from './db.ts';
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
  if (incidentIds.length === 0) return [];
  let q = db.selectFrom('sla_clocks').selectAll().where('incident_id', 'in', incidentIds).orderBy('id');
  if (opts.forUpdate) q = q.forUpdate();
  return (await q.execute()).map(clockFromRow);
}

/** Writes reconciled clocks; updates first so a restarted clock never meets its predecessor in the unique index. */
export async function saveClocks(trx: Trx, clocks: SlaClock[]): Promise<void> {
  for (const c of clocks.filter((x) => x.id !== null)) {
    await trx.updateTable('sla_clocks').set(toRow(c)).where('id', '=', c.id!).execute();
  }
  const inserts = clocks.filter((x) => x.id === null);
  if (inserts.length) await trx.insertInto('sla_clocks').values(inserts.map(toRow)).execute();
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
