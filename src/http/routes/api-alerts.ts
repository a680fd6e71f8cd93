import { Hono } from 'hono';
import { DomainError } from '../../core/errors.ts';
import { processWebhookBody, type WebhookDeps } from '../../pipeline/process-webhook.ts';
import { findSource } from '../../sources/find-source.ts';
import { listAlerts } from '../../store/alert-queries.ts';
import { getDeadLetter, isCutDeadLetter, listDeadLetters, markReplayed } from '../../store/dead-letters.ts';
import { parsePageRequest } from '../../store/pagination.ts';
import type { AppDeps } from '../app-deps.ts';

function parseBool(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new DomainError('invalid', `${name}: expected true or false`);
}

/** Internal API for alerts and dead letters (mounted behind the admin token). */
export function alertApiRoutes(deps: AppDeps, webhook: WebhookDeps): Hono {
  const app = new Hono();
  app.get('/alerts', async (c) => {
    const q = c.req.query();
    const routed = parseBool('routed', q.routed);
    const silenced = parseBool('silenced', q.silenced);
    const muted = parseBool('muted', q.muted);
    return c.json(
      await listAlerts(deps.store.db, parsePageRequest(q), {
        ...(routed === undefined ? {} : { routed }),
        ...(silenced === undefined ? {} : { silenced }),
        ...(muted === undefined ? {} : { muted }),
        ...(q.status ? { status: q.status } : {}),
        ...(q.source ? { source: q.source } : {}),
      }),
    );
  });

  app.get('/dead-letters', async (c) =>
    c.json(await listDeadLetters(deps.store.db, parsePageRequest(c.req.query()))),
  );

  app.get('/dead-letters/:id', async (c) => {
    const row = await getDeadLetter(deps.store.db, Number(c.req.param('id')));
    if (!row) throw new DomainError('not_found', `dead letter ${c.req.param('id')} not found`);
    const { body, ...rest } = row;
    return c.json({ ...rest, body: Buffer.from(body).toString('utf8') });
  });

  app.post('/dead-letters/:id/replay', async (c) => {
    const id = Number(c.req.param('id'));
    const row = Number.isInteger(id) ? await getDeadLetter(deps.store.db, id) : undefined;
    if (!row) throw new DomainError('not_found', `dead letter ${c.req.param('id')} not found`);
    const source = findSource(row.source, deps.config.catalog.sources);
    if (!source) throw new DomainError('invalid', `dead letter ${id}: unknown source "${row.source}"`);
    if (isCutDeadLetter(row)) {
      throw new DomainError('conflict', `dead letter ${id}: only the first bytes of its body were kept`);
    }
    const outcome = await processWebhookBody(webhook, source, new Uint8Array(row.body));
    if (outcome.kind === 'invalid') {
      await markReplayed(deps.store.db, id, 400, outcome.message, deps.clock.now());
      return c.json({ dead_letter_id: id, error: 'invalid', message: outcome.message }, 422);
    }
    await markReplayed(deps.store.db, id, 200, 'ingested', deps.clock.now());
    return c.json({ dead_letter_id: id, ...outcome.result }, 200);
  });
  return app;
}
