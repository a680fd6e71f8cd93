import { Hono } from 'hono';
import { type ReviewDeps, reviewResponse } from '../review-response.ts';

/** GET /api/v1/incidents/:id/review.md (mounted behind the admin token). */
export function reviewApiRoutes(deps: ReviewDeps): Hono {
  const app = new Hono();
  app.get('/incidents/:id/review.md', (c) => reviewResponse(c, deps, c.req.param('id')));
  return app;
}
