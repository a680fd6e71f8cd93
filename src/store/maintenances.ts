import type { MaintenancePublicStatus, Recurrence } from '../core/maintenance-windows.ts';
import type { MaintenanceInput } from '../publish/status-snapshot.ts';
import type { Db } from './db.ts';

/**
 * Scheduled maintenances and their public history. A maintenance row is a projection; every change is also a
 * `maintenance_updates` row (created, edited, update, completed, cancelled) written in the same transaction, and
 * those rows are what the status page shows as the maintenance's updates.
 */

export interface NewMaintenance {
  id: string;
  title: string;
  message: string;
  components: string[];
  scheduledFor: Date;
  scheduledUntil: Date;
  createdBy: string;
  recurrence?: Recurrence | null;
}

export interface MaintenanceUpdateRecord {
  id: number;
  at: Date;
  kind: 'created' | 'edited' | 'update' | 'completed' | 'cancelled';
  status: MaintenancePublicStatus;
  message: string;
  actor: string;
}

export interface MaintenanceRecord extends NewMaintenance {
  /** As stored: `scheduled` (follow the clock), `completed` (completed early) or `cancelled`. */
  status: string;
  recurrence: Recurrence | null;
  cancelledAt: Date | null;
  completedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface MaintenanceChange {
  kind: MaintenanceUpdateRecord['kind'];
  status: MaintenancePublicStatus;
  message: string;
  actor: string;
}

export async function insertMaintenance(
  db: Db,
  m: NewMaintenance,
  now: Date,
  change: Omit<MaintenanceChange, 'kind'> = { status: 'scheduled', message: m.message, actor: m.createdBy },
): Promise<MaintenanceRecord> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('maintenances')
      .values({
        id: m.id,
        title: m.title,
        message: m.message,
        components: JSON.stringify(m.components),
        scheduled_for: m.scheduledFor,
        scheduled_until: m.scheduledUntil,
        status: 'scheduled',
        created_by: m.createdBy,
        created_at: now,
        updated_at: now,
        recurrence: m.recurrence?.rule ?? null,
        duration_seconds: m.recurrence ? Math.round(m.recurrence.durationMs / 1000) : null,
      })
      .execute();
    await trx
      .insertInto('maintenance_updates')
      .values({ maintenance_id: m.id, at: now, kind: 'created', ...change })
      .execute();
  });
  return {
    ...m,
    recurrence: m.recurrence ?? null,
    status: 'scheduled',
    cancelledAt: null,
    completedAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

export interface MaintenancePatch {
  title?: string;
  message?: string;
  components?: string[];
  scheduledFor?: Date;
  scheduledUntil?: Date;
  recurrence?: Recurrence | null;
  status?: 'completed' | 'cancelled';
  cancelledAt?: Date;
  completedAt?: Date;
}

/**
 * Changes a maintenance and records the change, in one transaction; `check` sees the locked current row and may
 * throw to refuse (e.g. already cancelled). Returns null when there is no such maintenance.
 */
export async function changeMaintenance(
  db: Db,
  id: string,
  now: Date,
  decide: (current: MaintenanceRecord) => { patch: MaintenancePatch; change: MaintenanceChange },
): Promise<MaintenanceRecord | null> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('maintenances')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return null;
    const current = fromRow(row);
    const { patch, change } = decide(current);
    await trx
      .updateTable('maintenances')
      .set({
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.message !== undefined ? { message: patch.message } : {}),
        ...(patch.components !== undefined ? { components: JSON.stringify(patch.components) } : {}),
        ...(patch.scheduledFor !== undefined ? { scheduled_for: patch.scheduledFor } : {}),
        ...(patch.scheduledUntil !== undefined ? { scheduled_until: patch.scheduledUntil } : {}),
        ...(patch.recurrence !== undefined
          ? {
              recurrence: patch.recurrence?.rule ?? null,
              duration_seconds: patch.recurrence ? Math.round(patch.recurrence.durationMs / 1000) : null,
            }
          : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.cancelledAt !== undefined ? { cancelled_at: patch.cancelledAt } : {}),
        ...(patch.completedAt !== undefined ? { completed_at: patch.completedAt } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    await trx
      .insertInto('maintenance_updates')
      .values({ maintenance_id: id, at: now, ...change })
      .execute();
    const updated = await trx
      .selectFrom('maintenances')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return fromRow(updated);
  });
}

export async function getMaintenance(db: Db, id: string): Promise<MaintenanceRecord | null> {
  const row = await db.selectFrom('maintenances').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : null;
}

/** Oldest first. */
export async function maintenanceUpdates(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, MaintenanceUpdateRecord[]>> {
  const out = new Map<string, MaintenanceUpdateRecord[]>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('maintenance_updates')
    .selectAll()
    .where('maintenance_id', 'in', [...ids])
    .orderBy('at')
    .orderBy('id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.maintenance_id) ?? [];
    list.push({
      id: Number(r.id),
      at: new Date(r.at),
      kind: r.kind as MaintenanceUpdateRecord['kind'],
      status: r.status as MaintenancePublicStatus,
      message: r.message,
      actor: r.actor,
    });
    out.set(r.maintenance_id, list);
  }
  return out;
}

type Row = {
  id: string;
  title: string;
  message: string;
  components: string[];
  scheduled_for: Date;
  scheduled_until: Date;
  status: string;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  recurrence: string | null;
  duration_seconds: number | null;
  cancelled_at: Date | null;
  completed_at: Date | null;
};

const fromRow = (r: Row): MaintenanceRecord => ({
  id: r.id,
  title: r.title,
  message: r.message,
  components: r.components,
  scheduledFor: new Date(r.scheduled_for),
  scheduledUntil: new Date(r.scheduled_until),
  createdBy: r.created_by,
  status: r.status,
  recurrence:
    r.recurrence === null ? null : { rule: r.recurrence, durationMs: Number(r.duration_seconds ?? 0) * 1000 },
  cancelledAt: r.cancelled_at === null ? null : new Date(r.cancelled_at),
  completedAt: r.completed_at === null ? null : new Date(r.completed_at),
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

/** Newest window first; keyset on (scheduled_for, id). */
export async function listMaintenances(
  db: Db,
  page: { limit: number; after: { at: Date; id: string } | null },
): Promise<MaintenanceRecord[]> {
  let q = db.selectFrom('maintenances').selectAll();
  if (page.after) {
    const { at, id } = page.after;
    q = q.where((eb) =>
      eb.or([eb('scheduled_for', '<', at), eb.and([eb('scheduled_for', '=', at), eb('id', '<', id)])]),
    );
  }
  const rows = await q
    .orderBy('scheduled_for', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
  return rows.map(fromRow);
}

/**
 * Maintenances the status page can show: windows ending after `since`, and recurring series not cancelled before
 * it (their occurrences are expanded by the snapshot), newest first, bounded; with their public history.
 */
export async function recentMaintenances(db: Db, since: Date, limit = 500): Promise<MaintenanceInput[]> {
  const rows = (
    await db
      .selectFrom('maintenances')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('scheduled_until', '>=', since),
          eb.and([
            eb('recurrence', 'is not', null),
            eb.or([eb('cancelled_at', 'is', null), eb('cancelled_at', '>=', since)]),
          ]),
        ]),
      )
      .orderBy('scheduled_for', 'desc')
      .limit(limit)
      .execute()
  ).map(fromRow);
  const updates = await maintenanceUpdates(
    db,
    rows.map((m) => m.id),
  );
  return rows.map((m) => ({
    id: m.id,
    title: m.title,
    message: m.message,
    components: m.components,
    scheduledFor: m.scheduledFor,
    scheduledUntil: m.scheduledUntil,
    createdAt: m.createdAt,
    recurrence: m.recurrence,
    cancelledAt: m.cancelledAt,
    completedAt: m.completedAt,
    updates: (updates.get(m.id) ?? []).map((u) => ({
      id: `${m.id}-u${u.id}`,
      status: u.status,
      message: u.message,
      at: u.at,
      kind: u.kind,
    })),
  }));
}
