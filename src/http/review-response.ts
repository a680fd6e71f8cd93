import type { Context } from 'hono';
import type { Catalog } from '../catalog.ts';
import { DomainError } from '../core/errors.ts';
import { renderReview } from '../core/review.ts';
import type { Clock } from '../pipeline/ports.ts';
import type { Db } from '../store/db.ts';
import { allEvents, getIncidentWithClocks } from '../store/internal-queries.ts';
import { catalogNames } from './view-models/internal-names.ts';

export interface ReviewDeps {
  db: Db;
  clock: Clock;
  catalog: Catalog;
}

/** The review draft of an incident as a download (`text/markdown`); 404 when unknown. */
export async function reviewResponse(c: Context, deps: ReviewDeps, id: string): Promise<Response> {
  const found = await getIncidentWithClocks(deps.db, id);
  if (!found) throw new DomainError('not_found', `incident ${id} not found`);
  const markdown = renderReview({
    incident: found.incident,
    events: await allEvents(deps.db, id),
    names: catalogNames(deps.catalog),
    sla: deps.catalog,
    now: deps.clock.now(),
  });
  return c.body(markdown, 200, {
    'Content-Type': 'text/markdown; charset=utf-8',
    'Content-Disposition': `inline; filename="incident-${id.replace(/[^A-Za-z0-9_-]/g, '')}-review.md"`,
  });
}
