import { sql } from 'kysely';
import type { Notice } from '../core/notification-routing.ts';
import { inChunks } from './chunks.ts';
import type { Db, Trx } from './db.ts';

export interface OutboxRow {
  id: number;
  incidentId: string | null;
  target: string;
  event: string;
  notice: Notice;
  attempts: number;
}

export async function enqueueNotifications(
  trx: Trx,
  rows: { incidentId: string; target: string; notice: Notice }[],
  now: Date,
): Promise<void> {
  await inChunks(rows, (chunk) =>
    trx
      .insertInto('notification_outbox')
      .values(
        chunk.map((r) => ({
          incident_id: r.incidentId,
          target: r.target,
          event: r.notice.event,
          notice: JSON.stringify(r.notice),
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: now,
          created_at: now,
        })),
      )
      .execute(),
  );
}

/**
 * Claims due rows and leases them: the attempt is counted and next_attempt_at moved past the lease, then the
 * transaction commits before any HTTP call. Another replica (skip locked, then the moved time) never takes a
 * leased row; a replica that dies mid-send leaves it to be retried when the lease runs out.
 */
export async function claimOutbox(db: Db, now: Date, batch: number, leaseMs: number): Promise<OutboxRow[]> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('notification_outbox')
      .select(['id', 'incident_id', 'target', 'event', 'notice', 'attempts'])
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(batch)
      .forUpdate()
      .skipLocked()
      .execute();
    if (rows.length === 0) return [];
    await trx
      .updateTable('notification_outbox')
      .set({
        attempts: sql`attempts + 1`,
        last_attempt_at: now,
        next_attempt_at: new Date(now.getTime() + leaseMs),
      })
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      incidentId: r.incident_id,
      target: r.target,
      event: r.event,
      notice: r.notice as unknown as Notice,
      attempts: r.attempts + 1,
    }));
  });
}

export async function markSent(trx: Trx, id: number, now: Date): Promise<void> {
  await trx
    .updateTable('notification_outbox')
    .set({ status: 'sent', sent_at: now, last_error: null })
    .where('id', '=', id)
    .execute();
}

/** A failed attempt: retry at `retryAt`, or give up (`retryAt` null) and keep the row as failed. */
export async function markFailed(trx: Trx, id: number, error: string, retryAt: Date | null): Promise<void> {
  await trx
    .updateTable('notification_outbox')
    .set(
      retryAt
        ? { last_error: error, next_attempt_at: retryAt }
        : { last_error: error, status: 'failed' as const },
    )
    .where('id', '=', id)
    .execute();
}

/** Older rows for the same target and incident as `row`, in a given status. */
function olderRows(db: Db, row: OutboxRow & { incidentId: string }, status: 'pending' | 'sent') {
  return db
    .selectFrom('notification_outbox')
    .where('target', '=', row.target)
    .where('incident_id', '=', row.incidentId)
    .where('status', '=', status)
    .where('id', '<', row.id);
}

/**
 * The latest due time of the older rows still pending for the same target and incident (a row in flight
 * counts: its lease keeps it pending), or null when there are none.
 */
export async function pendingBefore(db: Db, row: OutboxRow): Promise<Date | null> {
  if (!row.incidentId) return null;
  const found = await olderRows(db, { ...row, incidentId: row.incidentId }, 'pending')
    .select('next_attempt_at')
    .orderBy('next_attempt_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return found ? new Date(found.next_attempt_at) : null;
}

/** Whether an older row for the same target and incident, of an event not in `except`, went out. */
export async function sentBefore(db: Db, row: OutboxRow, except: readonly string[] = []): Promise<boolean> {
  if (!row.incidentId) return false;
  const found = await olderRows(db, { ...row, incidentId: row.incidentId }, 'sent')
    .select('id')
    .$if(except.length > 0, (q) => q.where('event', 'not in', [...except]))
    .limit(1)
    .executeTakeFirst();
  return found !== undefined;
}

/** Puts claimed rows back, untried, until `until`: the claim's attempt does not count. */
export async function deferOutbox(db: Db, ids: readonly number[], until: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('notification_outbox')
    .set({ attempts: sql`greatest(attempts - 1, 0)`, next_attempt_at: until })
    .where('id', 'in', [...ids])
    .where('status', '=', 'pending')
    .execute();
}

export interface TargetDelivery {
  target: string;
  pending: number;
  sent: number;
  failed: number;
  lastSuccessAt: Date | null;
  lastAttemptAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
}

/** Per target: counts, last success, and the latest error (the "is this target down for good" view). */
export async function deliveryByTarget(db: Db): Promise<TargetDelivery[]> {
  const counts = await db
    .selectFrom('notification_outbox')
    .select([
      'target',
      sql<number>`count(*) filter (where status = 'pending')`.as('pending'),
      sql<number>`count(*) filter (where status = 'sent')`.as('sent'),
      sql<number>`count(*) filter (where status = 'failed')`.as('failed'),
      sql<Date | null>`max(sent_at)`.as('last_success_at'),
      sql<Date | null>`max(last_attempt_at)`.as('last_attempt_at'),
    ])
    .groupBy('target')
    .execute();
  const errors = await db
    .selectFrom('notification_outbox')
    .select(['target', 'last_error', 'last_attempt_at'])
    .distinctOn('target')
    .where('last_error', 'is not', null)
    .orderBy('target')
    .orderBy('last_attempt_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const errorOf = new Map(errors.map((e) => [e.target, e]));
  return counts.map((c) => {
    const e = errorOf.get(c.target);
    return {
      target: c.target,
      pending: Number(c.pending),
      sent: Number(c.sent),
      failed: Number(c.failed),
      lastSuccessAt: c.last_success_at ? new Date(c.last_success_at) : null,
      lastAttemptAt: c.last_attempt_at ? new Date(c.last_attempt_at) : null,
      lastError: e?.last_error ?? null,
      lastErrorAt: e?.last_attempt_at ? new Date(e.last_attempt_at) : null,
    };
  });
}
