import type { Hono } from 'hono';
import { expect } from 'vitest';
import type { StoreHandle } from '../../src/store/db.ts';
import { bearer, INGEST_TOKEN } from './app.ts';

/** A webhook POST with the ingest token. */
export const webhookPost = (body: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
  body,
});

/** Posts an Alertmanager body that must land in exactly one incident, and reads that incident's row. */
export async function postIntoOneIncident(app: Hono, store: StoreHandle, body: string) {
  const res = await app.request('/webhooks/alertmanager', webhookPost(body));
  expect(res.status, await res.clone().text()).toBe(200);
  const { incidents } = (await res.json()) as { incidents: string[] };
  expect(incidents).toHaveLength(1);
  return store.db
    .selectFrom('incidents')
    .selectAll()
    .where('id', '=', incidents[0]!)
    .executeTakeFirstOrThrow();
}
