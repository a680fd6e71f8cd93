import { Hono } from 'hono';
import type { SnapshotService } from '../../publish/snapshot-service.ts';
import { mountStatuspageApi } from '../statuspage-mount.ts';

/** Atlassian Statuspage-compatible public API under /api/v2. */
export function statuspageApiRoutes(snapshots: SnapshotService): Hono {
  const app = new Hono();
  mountStatuspageApi(app, () => snapshots.get());
  return app;
}
