import type { ComponentStatus } from '../core/component-status.ts';
import type { StatusInterval } from '../core/uptime.ts';
import type { Db } from './db.ts';

/**
 * Component status history for uptime bars. The snapshot service computes every component's effective status
 * (open published incidents + active maintenance) on each rebuild and calls `reconcileComponentIntervals`: where
 * the open interval disagrees (or none exists yet), it is closed at `now` and a new one opened. A component's
 * first interval (operational) is written on the first rebuild after it appears in the catalog, which is when
 * its uptime history starts.
 */

export async function loadIntervals(db: Db, since: Date): Promise<StatusInterval[]> {
  const rows = await db
    .selectFrom('component_status_intervals')
    .select(['component_id', 'status', 'started_at', 'ended_at'])
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', since)]))
    .orderBy('component_id')
    .orderBy('started_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    componentId: r.component_id,
    status: r.status as ComponentStatus,
    startedAt: new Date(r.started_at),
    endedAt: r.ended_at === null ? null : new Date(r.ended_at),
  }));
}

/** Components whose open interval differs from `desired` (cheap pre-check on already loaded intervals). */
export function intervalDrift(
  desired: ReadonlyMap<string, ComponentStatus>,
  intervals: readonly StatusInterval[],
): string[] {
  const open = new Map<string, ComponentStatus>();
  for (const iv of intervals) if (iv.endedAt === null) open.set(iv.componentId, iv.status);
  return [...desired].filter(([id, status]) => open.get(id) !== status).map(([id]) => id);
}

/**
 * Closes and opens intervals so that each component's open interval carries its desired status; also mirrors the
 * status into `components.status`. Locks the component rows, so replicas reconciling at once write each change
 * once. Returns the ids that changed.
 */
export async function reconcileComponentIntervals(
  db: Db,
  desired: ReadonlyMap<string, ComponentStatus>,
  now: Date,
): Promise<string[]> {
  const ids = [...desired.keys()];
  if (ids.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    await trx
      .selectFrom('components')
      .select('id')
      .where('id', 'in', ids)
      .orderBy('id')
      .forUpdate()
      .execute();
    const open = await trx
      .selectFrom('component_status_intervals')
      .select(['id', 'component_id', 'status'])
      .where('ended_at', 'is', null)
      .where('component_id', 'in', ids)
      .execute();
    const openBy = new Map<string, { id: number; status: string }[]>();
    for (const o of open) openBy.set(o.component_id, [...(openBy.get(o.component_id) ?? []), o]);
    const changed: string[] = [];
    for (const [componentId, status] of desired) {
      const current = openBy.get(componentId) ?? [];
      if (current.length === 1 && current[0]!.status === status) continue;
      if (current.length) {
        await trx
          .updateTable('component_status_intervals')
          .set({ ended_at: now })
          .where(
            'id',
            'in',
            current.map((c) => c.id),
          )
          .execute();
      }
      await trx
        .insertInto('component_status_intervals')
        .values({ component_id: componentId, status, started_at: now, ended_at: null })
        .execute();
      await trx
        .updateTable('components')
        .set({ status, updated_at: now })
        .where('id', '=', componentId)
        .execute();
      changed.push(componentId);
    }
    return changed;
  });
}
