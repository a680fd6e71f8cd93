import type { StoreHandle } from '../../src/store/db.ts';

// Reads of stored rows that several tests check after driving the app.

/** The incident's row; throws when there is none. */
export const incidentRow = (store: StoreHandle, id: string) =>
  store.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** The incident's timeline rows, oldest first. */
export const incidentEventRows = (store: StoreHandle, incidentId: string) =>
  store.db
    .selectFrom('incident_events')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();

/** The incident's notification outbox rows (target and event), ordered by `orderBy`. */
export const outboxRows = (store: StoreHandle, incidentId: string, orderBy: 'id' | 'target') =>
  store.db
    .selectFrom('notification_outbox')
    .select(['target', 'event'])
    .where('incident_id', '=', incidentId)
    .orderBy(orderBy)
    .execute();
