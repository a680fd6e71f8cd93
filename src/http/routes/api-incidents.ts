import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { COMPONENT_STATUSES } from '../../core/component-status.ts';
import { DomainError } from '../../core/errors.ts';
import type { IncidentChange } from '../../core/incident-change.ts';
import type { IncidentActions } from '../../pipeline/actions.ts';
import { getIncidentApi, listIncidents, listTimeline } from '../../store/incident-queries.ts';
import { parsePageRequest } from '../../store/pagination.ts';
import { resolveActor } from '../actor.ts';
import type { AppDeps } from '../app-deps.ts';

const MAX_BODY_BYTES = 64 * 1024;

const duration = z.union([z.string(), z.number()]);
const by = z.string().optional();

const schemas = {
  declare: z.object({
    title: z.string(),
    severity: z.string(),
    customers: z.array(z.string()).max(1000).optional(),
    components: z.array(z.string()).max(100).optional(),
    component_status: z.enum(COMPONENT_STATUSES).nullable().optional(),
    message: z.string().nullable().optional(),
    next_update_in: duration.optional(),
    by,
  }),
  empty: z.object({ by }),
  assign: z.object({ owner: z.string(), by }),
  severity: z.object({ severity: z.string(), reason: z.string().optional(), by }),
  update: z.object({ status: z.string(), message: z.string(), next_update_in: duration.optional(), by }),
  note: z.object({ message: z.string(), by }),
  resolve: z.object({ message: z.string().optional(), by }),
  reopen: z.object({ reason: z.string().optional(), by }),
};

/** The JSON body validated against a schema; an empty body counts as `{}` (acknowledge, resolve, reopen). */
async function body<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new DomainError('invalid', 'body: too large');
  let json: unknown = {};
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      throw new DomainError('invalid', 'body: not valid JSON');
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.map(String).join('.') || 'body';
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    throw new DomainError('invalid', `${where}: ${missing ? 'required' : issue.message}`);
  }
  return parsed.data;
}

/** Internal incident API (mounted behind the admin token): list, read, declare and run incidents. */
export function incidentApiRoutes(deps: Pick<AppDeps, 'store'>, actions: IncidentActions): Hono {
  const app = new Hono();
  const db = deps.store.db;
  const show = async (change: IncidentChange) => (await getIncidentApi(db, change.incident.id))!;

  app.get('/incidents', async (c) => {
    const q = c.req.query();
    return c.json(
      await listIncidents(db, parsePageRequest(q), {
        state: q.state,
        severity: q.severity,
        customer: q.customer,
      }),
    );
  });

  app.post('/incidents', async (c) => {
    const b = await body(c, schemas.declare);
    const change = await actions.declare(
      {
        title: b.title,
        severity: b.severity,
        customers: b.customers,
        components: b.components,
        componentStatus: b.component_status,
        message: b.message,
        nextUpdateIn: b.next_update_in,
      },
      resolveActor(c, b.by),
    );
    return c.json(await show(change), 201);
  });

  app.get('/incidents/:id', async (c) => {
    const incident = await getIncidentApi(db, c.req.param('id'));
    if (!incident) throw new DomainError('not_found', `incident ${c.req.param('id')} not found`);
    return c.json(incident);
  });

  app.get('/incidents/:id/timeline', async (c) => {
    const id = c.req.param('id');
    if (!(await getIncidentApi(db, id))) throw new DomainError('not_found', `incident ${id} not found`);
    const q = c.req.query();
    return c.json(await listTimeline(db, id, parsePageRequest(q), { visibility: q.visibility }));
  });

  app.post('/incidents/:id/acknowledge', async (c) => {
    const b = await body(c, schemas.empty);
    return c.json(await show(await actions.acknowledge(c.req.param('id'), resolveActor(c, b.by))));
  });

  app.post('/incidents/:id/assign', async (c) => {
    const b = await body(c, schemas.assign);
    return c.json(await show(await actions.assign(c.req.param('id'), b.owner, resolveActor(c, b.by))));
  });

  app.post('/incidents/:id/severity', async (c) => {
    const b = await body(c, schemas.severity);
    const change = await actions.changeSeverity(
      c.req.param('id'),
      { severity: b.severity, reason: b.reason },
      resolveActor(c, b.by),
    );
    return c.json(await show(change));
  });

  app.post('/incidents/:id/updates', async (c) => {
    const b = await body(c, schemas.update);
    const change = await actions.postUpdate(
      c.req.param('id'),
      { status: b.status, message: b.message, nextUpdateIn: b.next_update_in },
      resolveActor(c, b.by),
    );
    return c.json(await show(change), 201);
  });

  app.post('/incidents/:id/notes', async (c) => {
    const b = await body(c, schemas.note);
    return c.json(
      await show(await actions.addNote(c.req.param('id'), b.message, resolveActor(c, b.by))),
      201,
    );
  });

  app.post('/incidents/:id/resolve', async (c) => {
    const b = await body(c, schemas.resolve);
    const change = await actions.resolve(c.req.param('id'), { message: b.message }, resolveActor(c, b.by));
    return c.json(await show(change));
  });

  app.post('/incidents/:id/reopen', async (c) => {
    const b = await body(c, schemas.reopen);
    const change = await actions.reopen(c.req.param('id'), { reason: b.reason }, resolveActor(c, b.by));
    return c.json(await show(change));
  });
  return app;
}
