import { Hono } from 'hono';
import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';
import type { ChangeEvent } from '../../publish/event-bus.ts';
import { insertMaintenance, listMaintenances, type MaintenanceRecord } from '../../store/maintenances.ts';
import { parsePageRequest, toPage } from '../../store/pagination.ts';
import type { AppDeps } from '../app-deps.ts';

/** Internal API for scheduled maintenance (mounted behind the admin token). */

const MAX_BODY_BYTES = 64 * 1024;

const body = z.strictObject({
  title: z.string().trim().min(1).max(200),
  message: z.string().trim().min(1).max(10_000),
  components: z.array(z.string().min(1)).min(1).max(100),
  scheduled_for: z.iso.datetime({ offset: true }),
  scheduled_until: z.iso.datetime({ offset: true }),
});

const toJson = (m: MaintenanceRecord) => ({
  id: m.id,
  title: m.title,
  message: m.message,
  components: m.components,
  scheduled_for: m.scheduledFor.toISOString(),
  scheduled_until: m.scheduledUntil.toISOString(),
  created_by: m.createdBy,
  created_at: m.createdAt.toISOString(),
  updated_at: m.updatedAt.toISOString(),
});

export function maintenanceApiRoutes(
  deps: Pick<AppDeps, 'store' | 'clock' | 'config'>,
  newId: () => string,
  announce: (event: ChangeEvent) => void,
): Hono {
  const app = new Hono();
  const known = new Set(deps.config.catalog.components.map((c) => c.id));

  app.post('/maintenances', async (c) => {
    const text = await c.req.text();
    if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new DomainError('invalid', 'body: too large');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new DomainError('invalid', 'body: not valid JSON');
    }
    const parsed = body.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new DomainError('invalid', `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const b = parsed.data;
    const unknown = b.components.filter((id) => !known.has(id));
    if (unknown.length) throw new DomainError('invalid', `components: unknown component "${unknown[0]}"`);
    const scheduledFor = new Date(b.scheduled_for);
    const scheduledUntil = new Date(b.scheduled_until);
    if (scheduledUntil <= scheduledFor) {
      throw new DomainError('invalid', 'scheduled_until: must be after scheduled_for');
    }
    const m = await insertMaintenance(
      deps.store.db,
      {
        id: newId(),
        title: b.title,
        message: b.message,
        components: [...new Set(b.components)],
        scheduledFor,
        scheduledUntil,
        createdBy: 'admin',
      },
      deps.clock.now(),
    );
    announce({ type: 'maintenance.changed', maintenanceId: m.id });
    return c.json(toJson(m), 201);
  });

  app.get('/maintenances', async (c) => {
    const page = parsePageRequest(c.req.query());
    const rows = await listMaintenances(deps.store.db, page);
    const { items, next_cursor } = toPage(rows, page.limit, (m) => ({ at: m.scheduledFor, id: m.id }));
    return c.json({ items: items.map(toJson), next_cursor });
  });
  return app;
}
