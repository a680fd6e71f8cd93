import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Context, Hono } from 'hono';
import type { SnapshotService } from '../../publish/snapshot-service.ts';
import type { StatusSnapshot } from '../../publish/status-snapshot.ts';
import { renderIncidentPage, renderStatusPage } from '../render.ts';
import { snapshotResponse } from '../snapshot-response.ts';
import { mountStatuspageApi } from '../statuspage-mount.ts';
import { incidentPageView } from '../view-models/incident-page.ts';
import type { IncidentVM } from '../view-models/incident-view.ts';
import { statusPageView } from '../view-models/status-page.ts';

/**
 * A customer's own status view: `/customers/:id?key=ACCESS_KEY` (the catalog's `access_key`). It is the public
 * page plus that customer's marker on the published incidents that name them ("Affects you"); incident pages
 * and the Statuspage JSON live under the same prefix with the same key. A wrong key and an unknown customer get
 * the same 404, after the same work, so the answer does not reveal which customers exist.
 */

const HTML = 'text/html; charset=utf-8';
const NOT_FOUND =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>' +
  '<body><main><h1>Not found</h1><p><a href="/">Current status</a></p></main></body></html>';
// The key rides in the URL: keep it out of shared caches, Referer headers and search engines.
const PRIVATE = { 'Referrer-Policy': 'no-referrer', 'X-Robots-Tag': 'noindex' };
const PRIVATE_CACHE = 'private, max-age=5';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

interface Viewer {
  id: string;
  name: string;
  key: string;
}

export function customerViewRoutes(
  snapshots: SnapshotService,
  customers: readonly { id: string; name: string; access_key: string }[],
): Hono {
  const byId = new Map(customers.map((c) => [c.id, { ...c, digest: digest(c.access_key) }]));
  const decoy = digest(randomBytes(32).toString('hex'));

  /** The customer when `key` is theirs; compared in constant time, unknown ids against a decoy. */
  function authenticate(c: Context): Viewer | null {
    const id = c.req.param('id') ?? '';
    const key = c.req.query('key') ?? '';
    const customer = byId.get(id);
    const ok = timingSafeEqual(digest(key), customer?.digest ?? decoy);
    return ok && customer ? { id: customer.id, name: customer.name, key } : null;
  }

  const notFound = (c: Context) => c.html(NOT_FOUND, 404, PRIVATE);
  const basePath = (v: Viewer) => `/customers/${encodeURIComponent(v.id)}`;
  const withKey = (href: string, v: Viewer) => `${href}?key=${encodeURIComponent(v.key)}`;
  const keyed = (i: IncidentVM, v: Viewer): IncidentVM => ({ ...i, href: withKey(i.href, v) });

  async function viewerSnapshot(c: Context): Promise<{ v: Viewer; s: StatusSnapshot } | null> {
    const v = authenticate(c);
    if (!v) return null;
    return { v, s: (await snapshots.get()).forCustomer(v.id) };
  }

  const app = new Hono();
  app.get('/:id', async (c) => {
    const found = await viewerSnapshot(c);
    if (!found) return notFound(c);
    const { v, s } = found;
    return snapshotResponse(c, s, {
      key: 'customer-page',
      contentType: HTML,
      cacheControl: PRIVATE_CACHE,
      headers: PRIVATE,
      make: () => {
        const vm = statusPageView(s, { basePath: basePath(v), viewerName: v.name });
        return renderStatusPage({
          ...vm,
          homeHref: withKey(vm.homeHref, v),
          activeIncidents: vm.activeIncidents.map((i) => keyed(i, v)),
          pastIncidents: vm.pastIncidents.map((i) => keyed(i, v)),
        });
      },
    });
  });

  app.get('/:id/incidents/:incidentId', async (c) => {
    const found = await viewerSnapshot(c);
    if (!found) return notFound(c);
    const { v, s } = found;
    const incidentId = c.req.param('incidentId');
    const vm = incidentPageView(s, incidentId, { basePath: basePath(v), viewerName: v.name });
    if (!vm) return notFound(c);
    return snapshotResponse(c, s, {
      key: `customer-incident:${incidentId}`,
      contentType: HTML,
      cacheControl: PRIVATE_CACHE,
      headers: PRIVATE,
      make: () => renderIncidentPage({ ...vm, homeHref: withKey(vm.homeHref, v) }),
    });
  });

  const api = new Hono();
  mountStatuspageApi(
    api,
    async (c) => {
      const found = await viewerSnapshot(c);
      return found ? found.s : c.json({ error: 'not_found', message: 'not found' }, 404, PRIVATE);
    },
    PRIVATE_CACHE,
    PRIVATE,
  );
  app.route('/:id/api/v2', api);
  return app;
}
