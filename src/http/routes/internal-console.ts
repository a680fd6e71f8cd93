import { Hono } from 'hono';
import type { Catalog } from '../../catalog.ts';
import { DELIVERABLE_TYPES } from '../../core/notification-routing.ts';
import type { Clock } from '../../pipeline/ports.ts';
import type { Db } from '../../store/db.ts';
import { countDeadLetters } from '../../store/dead-letters.ts';
import { listOpenIncidents, listRecentlyResolved, unroutedAlerts } from '../../store/internal-queries.ts';
import { deliveryByTarget } from '../../store/outbox.ts';
import { internalAuthOf } from '../middleware/internal-auth.ts';
import { FRAGMENT_HEADER, renderConsole, renderConsoleLive } from '../render.ts';
import { type ConsoleData, consoleView } from '../view-models/internal-console.ts';
import { internalLayout } from '../view-models/internal-layout.ts';
import { catalogNames } from '../view-models/internal-names.ts';

export interface ConsoleDeps {
  db: Db;
  clock: Clock;
  catalog: Catalog;
}

const WEEK_MS = 7 * 86_400_000;

/** Targets whose latest attempt failed (the same rule as GET /api/v1/notifications/targets). */
async function failingTargets(db: Db, catalog: Catalog): Promise<ConsoleData['failingTargets']> {
  const delivery = new Map((await deliveryByTarget(db)).map((d) => [d.target, d]));
  return catalog.notifications.flatMap((t) => {
    const d = delivery.get(t.name);
    if (!DELIVERABLE_TYPES.has(t.type) || !d?.lastErrorAt) return [];
    if (d.lastSuccessAt !== null && d.lastErrorAt <= d.lastSuccessAt) return [];
    return [{ name: t.name, type: t.type, lastError: d.lastError, lastErrorAt: d.lastErrorAt }];
  });
}

/** GET /internal: what needs a responder now. */
export function consoleRoutes(deps: ConsoleDeps): Hono {
  const app = new Hono();
  const names = catalogNames(deps.catalog);
  const title = deps.catalog.status_page.title;
  app.get('/', async (c) => {
    const now = deps.clock.now();
    const data: ConsoleData = {
      open: await listOpenIncidents(deps.db),
      resolved: await listRecentlyResolved(deps.db, new Date(now.getTime() - WEEK_MS)),
      unrouted: await unroutedAlerts(deps.db),
      deadLetters: await countDeadLetters(deps.db),
      failingTargets: await failingTargets(deps.db, deps.catalog),
    };
    const layout = internalLayout(internalAuthOf(c), `Console - ${title}`, title, 'console');
    const vm = consoleView(layout, data, names, now, deps.catalog.status_page.time_zone);
    return c.html(c.req.header(FRAGMENT_HEADER) === 'live' ? renderConsoleLive(vm) : renderConsole(vm));
  });
  return app;
}
