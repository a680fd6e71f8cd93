import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../src/http/security-headers.ts';
import type { StoreHandle } from '../src/store/db.ts';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { createTestStore } from './support/databases.ts';
import { alertmanagerBody, dbOutage } from './support/payloads.ts';

// Every answer, public and internal, carries a strict CSP (no inline script or style: the templates load
// only views/static files), nosniff, no framing and a Referrer-Policy. Snapshot pages carry them in their
// prepared header objects, 304s included.

let store: StoreHandle;
let t: Awaited<ReturnType<typeof createTestApp>>;
let incident: string;
beforeAll(async () => {
  store = await createTestStore('pglite');
  t = await createTestApp(store);
  const res = await t.app.request('/webhooks/alertmanager', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
    body: alertmanagerBody([dbOutage('acme', 'eu-west-1')]),
  });
  incident = ((await res.json()) as { incidents: string[] }).incidents[0]!;
  await t.snapshots.flush();
}, 120_000);
afterAll(() => store?.close());

function expectHardened(res: Response, what: string, referrer = 'same-origin') {
  expect(res.headers.get('content-security-policy'), what).toBe(CONTENT_SECURITY_POLICY);
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(res.headers.get('x-frame-options'), what).toBe('DENY');
  expect(res.headers.get('referrer-policy'), what).toBe(referrer);
}

it('the CSP allows no inline script or style and no framing', () => {
  expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
  expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
  expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
  expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
});

it('public pages, feeds, JSON, static files and customer views carry the headers, 304s too', async () => {
  const key = 'change-me-acme';
  const paths = [
    '/',
    `/incidents/${incident}`,
    '/incidents/nope',
    '/history.atom',
    '/api/v2/summary.json',
    '/api/v2/status.json',
    '/api/v2/components.json',
    '/api/v2/incidents.json',
    '/api/v2/incidents/unresolved.json',
    '/api/v2/scheduled-maintenances.json',
    '/api/v2/scheduled-maintenances/upcoming.json',
    '/api/v2/scheduled-maintenances/active.json',
    '/static/live.js',
    '/static/status.css',
    '/static/nope.css',
    '/ws',
  ];
  for (const path of paths) {
    for (const encoding of ['identity', 'gzip', 'br']) {
      const res = await t.app.request(path, { headers: { 'accept-encoding': encoding } });
      expectHardened(res, `${path} ${encoding}`);
      const etag = res.headers.get('etag');
      if (!etag) continue;
      const again = await t.app.request(path, {
        headers: { 'accept-encoding': encoding, 'if-none-match': etag },
      });
      expect(again.status, path).toBe(304);
      expectHardened(again, `${path} 304`);
    }
  }
  // The customer view keeps its stricter Referrer-Policy: its key rides in the URL.
  for (const path of [
    `/customers/acme?key=${key}`,
    `/customers/acme/incidents/${incident}?key=${key}`,
    `/customers/acme/api/v2/summary.json?key=${key}`,
    '/customers/acme?key=wrong',
  ]) {
    expectHardened(await t.app.request(path), path, 'no-referrer');
  }
});

it('internal pages, the APIs, ops routes and errors carry them', async () => {
  const admin = bearer(ADMIN_TOKEN);
  for (const [path, headers] of [
    ['/internal/login', {}],
    ['/internal', admin],
    ['/internal', {}],
    [`/internal/incidents/${incident}`, admin],
    ['/internal/reports', admin],
    ['/api/v1/incidents', admin],
    ['/api/v1/incidents', {}],
    [`/api/v1/incidents/${incident}/review.md`, admin],
    ['/api/v1/incidents/%00', admin],
    ['/healthz', {}],
    ['/readyz', {}],
    ['/metrics', {}],
    ['/no/such/route', {}],
  ] as const) {
    expectHardened(await t.app.request(path, { headers }), path);
  }
  const rejected = await t.app.request('/webhooks/alertmanager', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
    body: '{',
  });
  expect(rejected.status).toBe(400);
  expectHardened(rejected, 'rejected webhook');
});
