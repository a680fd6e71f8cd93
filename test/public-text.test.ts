import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StoreHandle } from '../src/store/db.ts';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { createTestStore } from './support/databases.ts';
import { alertmanagerBody, dbOutage } from './support/payloads.ts';

// A label value or a responder's text with a right-to-left override (or another invisible format character)
// must not reach a public surface: it makes a title read differently than it is.

const HIDDEN = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u2060\ufeff]/;

let store: StoreHandle;
let t: Awaited<ReturnType<typeof createTestApp>>;
beforeAll(async () => {
  store = await createTestStore('pglite');
  t = await createTestApp(store);
}, 120_000);
afterAll(() => store?.close());

it('titles, public updates and their feed, page and JSON carry no bidi controls or invisible characters', async () => {
  // The rule's title and public message template the region label: a sender controls it.
  const res = await t.app.request('/webhooks/alertmanager', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
    body: alertmanagerBody([dbOutage('acme', 'eu\u202e1-tsew\u202c\u2066\u200b')]),
  });
  expect(res.status).toBe(200);
  const [id] = ((await res.json()) as { incidents: string[] }).incidents;
  const update = await t.app.request(`/api/v1/incidents/${id}/updates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(ADMIN_TOKEN) },
    body: JSON.stringify({ status: 'identified', message: 'Fixed by \u202ekcabllor\u202c \u200fsoon\ufeff' }),
  });
  expect(update.status).toBe(201);
  await t.snapshots.flush();

  const summary = (await (await t.app.request('/api/v2/incidents.json')).json()) as {
    incidents: { id: string; name: string; incident_updates: { body: string }[] }[];
  };
  const incident = summary.incidents.find((i) => i.id === id)!;
  expect(incident.name).toBe('Database outage in eu1-tsew');
  expect(incident.incident_updates.map((u) => u.body)).toContain('Fixed by kcabllor soon');
  for (const path of [
    '/',
    `/incidents/${id}`,
    '/history.atom',
    '/api/v2/summary.json',
    '/api/v2/incidents/unresolved.json',
    `/customers/acme?key=change-me-acme`,
    `/customers/acme/incidents/${id}?key=change-me-acme`,
  ]) {
    const text = await (await t.app.request(path)).text();
    expect(text, path).toContain('eu1-tsew');
    expect(HIDDEN.test(text), path).toBe(false);
  }
});
