import type { Context, Hono } from 'hono';
import type { StatusSnapshot } from '../publish/status-snapshot.ts';
import { STATUSPAGE_ROUTES, type StatuspagePath } from '../publish/statuspage-json.ts';
import { snapshotResponse } from './snapshot-response.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Serves the eight Statuspage v2 paths for `snapshot(c)` (the public one, or a customer's). */
export function mountStatuspageApi(
  app: Hono,
  snapshot: (c: Context) => Promise<StatusSnapshot | Response>,
  cacheControl?: string,
  extraHeaders?: Record<string, string>,
): void {
  // Statuspage's public API is readable from any origin; consumers fetch it from browsers.
  const headers = { 'Access-Control-Allow-Origin': '*', ...extraHeaders };
  for (const path of Object.keys(STATUSPAGE_ROUTES) as StatuspagePath[]) {
    const serialize = STATUSPAGE_ROUTES[path] as (s: StatusSnapshot) => unknown;
    app.get(`/${path}`, async (c) => {
      const s = await snapshot(c);
      if (s instanceof Response) return s;
      return snapshotResponse(c, s, {
        key: `api:${path}`,
        contentType: JSON_TYPE,
        make: () => JSON.stringify(serialize(s)),
        ...(cacheControl ? { cacheControl } : {}),
        headers,
      });
    });
  }
}
