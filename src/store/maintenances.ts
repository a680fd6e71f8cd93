import type { MaintenanceInput } from '../publish/status-snapshot.ts';
import type { Db } from './db.ts';

/** Scheduled maintenances. Their status follows from the clock; the stored one only overrides it when final. */

export interface NewMaintenance {
  id: string;
  title: string;
  message: string;
  components: string[];
  scheduledFor: Date;
  scheduledUntil: Date;
  createdBy: string;
}

export interface MaintenanceRecord extends NewMaintenance {
  /** As stored: `scheduled` means "derived from the time". */
  status: string;
  createdAt: Date;
  updatedAt: Date;
}

export async function insertMaintenance(db: Db, m: NewMaintenance, now: Date): Promise<MaintenanceRecord> {
  await db
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
    })
    .execute();
  return { ...m, status: 'scheduled', createdAt: now, updatedAt: now };
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

/** Maintenances the status page can show: ending after `since` (newest first, bounded). */
export async function recentMaintenances(db: Db, since: Date, limit = 500): Promise<MaintenanceInput[]> {
  const rows = await db
    .selectFrom('maintenances')
    .selectAll()
    .where('scheduled_until', '>=', since)
    .orderBy('scheduled_for', 'desc')
    .limit(limit)
    .execute();
  return rows.map(fromRow).map((m) => ({
    id: m.id,
    title: m.title,
    message: m.message,
    components: m.components,
    scheduledFor: m.scheduledFor,
    scheduledUntil: m.scheduledUntil,
    createdAt: m.createdAt,
    // Only a final status overrides the clock (e.g. completed early); 'scheduled' means "follow the time".
    ...(m.status === 'completed' ? { status: 'completed' as const } : {}),
  }));
}
