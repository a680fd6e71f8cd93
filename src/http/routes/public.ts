import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Hono } from 'hono';
import { ATOM_CONTENT_TYPE, atomFeed } from '../../publish/atom-feed.ts';
import type { ChangeEvent } from '../../publish/event-bus.ts';
import type { SnapshotService } from '../../publish/snapshot-service.ts';
import type { WebSocketHub } from '../../publish/websocket-hub.ts';
import { renderIncidentPage, renderStatusPage, STATIC_DIR } from '../render.ts';
import { preparedResponse, SECURITY_HEADERS } from '../security-headers.ts';
import { createBodyCache, snapshotResponse } from '../snapshot-response.ts';
import { incidentPageView } from '../view-models/incident-page.ts';
import { statusPageView } from '../view-models/status-page.ts';
import { webSocketRoute } from '../websocket.ts';

/** What the public routes need: the in-memory snapshot, the public WebSocket hub, and a way to announce changes. */
export interface StatusPageDeps {
  snapshots: SnapshotService;
  hub: WebSocketHub;
  announce(event: ChangeEvent): void;
}

export const HTML = 'text/html; charset=utf-8';

const NOT_FOUND_HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title>' +
  '<link rel="stylesheet" href="/static/status.css"></head><body><main class="wrap"><h1>Not found</h1>' +
  '<p><a href="/">Current status</a></p></main></body></html>';

const STATIC_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** views/static, read once at start: a fixed set of files, no path from the request ever reaches the disk. */
interface StaticFile {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
  /** Prepared once: nothing is built per request. */
  headers: Record<string, string>;
  notModified: Record<string, string>;
}

function loadStatic(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(STATIC_DIR)) {
    const type = STATIC_TYPES[extname(name)];
    if (!type) continue;
    const body = new Uint8Array(readFileSync(join(STATIC_DIR, name)));
    const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`;
    const notModified = { ...SECURITY_HEADERS, ETag: etag, 'Cache-Control': 'public, max-age=300' };
    files.set(name, {
      body,
      etag,
      notModified,
      headers: { ...notModified, 'Content-Type': type, 'Content-Length': String(body.byteLength) },
    });
  }
  return files;
}

/**
 * The public status page, served from the snapshot (never a query per request): `/`, `/incidents/:id`,
 * `/history.atom`, `/static/*`, `/api/v2/*.json`, `/ws`, and the per-customer view under `/customers/:id`.
 */
export function publicRoutes(deps: StatusPageDeps): Hono {
  const { snapshots } = deps;
  const app = new Hono();
  const cache = createBodyCache();

  app.get('/', async (c) => {
    const s = await snapshots.get();
    return snapshotResponse(c, s, {
      key: 'page',
      contentType: HTML,
      cache,
      make: () => renderStatusPage(statusPageView(s)),
    });
  });

  app.get('/incidents/:id', async (c) => {
    const s = await snapshots.get();
    const id = c.req.param('id');
    const vm = incidentPageView(s, id);
    if (!vm) return c.html(NOT_FOUND_HTML, 404);
    return snapshotResponse(c, s, {
      key: `incident:${id}`,
      contentType: HTML,
      cache,
      make: () => renderIncidentPage(vm),
    });
  });

  app.get('/history.atom', async (c) => {
    const s = await snapshots.get();
    return snapshotResponse(c, s, {
      key: 'atom',
      contentType: ATOM_CONTENT_TYPE,
      make: () => atomFeed(s),
      cache,
    });
  });

  const files = loadStatic();
  app.get('/static/:name', (c) => {
    const file = files.get(c.req.param('name'));
    if (!file) return c.text('not found', 404);
    if (c.req.header('if-none-match') === file.etag)
      return preparedResponse(new Response(null, { status: 304, headers: file.notModified }));
    return preparedResponse(new Response(file.body, { status: 200, headers: file.headers }));
  });

  app.get('/ws', webSocketRoute(deps.hub, snapshots), (c) =>
    c.text('this endpoint speaks WebSocket only', 426, { Upgrade: 'websocket' }),
  );
  return app;
}
