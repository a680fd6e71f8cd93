// Over 300 lines: the maintenance API (create, list, get, edit, updates, complete, cancel) shares its checks and loaders here.
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { parseDuration } from '../../core/duration.ts';
import { DomainError } from '../../core/errors.ts';
import {
  checkRecurrence,
  explicitUpdates,
  type MaintenancePublicStatus,
  type Recurrence,
  updatesOfWindow,
  windowStatus,
  windowsOf,
} from '../../core/maintenance-windows.ts';
import type { ChangeEvent } from '../../publish/event-bus.ts';
import {
  changeMaintenance,
  getMaintenance,
  insertMaintenance,
  listMaintenances,
  type MaintenanceChange,
  type MaintenancePatch,
  type MaintenanceRecord,
  type MaintenanceUpdateRecord,
  maintenanceUpdates,
} from '../../store/maintenances.ts';
import { parsePageRequest, toPage } from '../../store/pagination.ts';
import { resolveActor } from '../actor.ts';
import type { AppDeps } from '../app-deps.ts';

/** Internal API for scheduled maintenance (mounted behind the admin token). */

const MAX_BODY_BYTES = 64 * 1024;

const title = z.string().trim().min(1).max(200);
const message = z.string().trim().min(1).max(10_000);
const components = z.array(z.string().min(1)).min(1).max(100);
const time = z.iso.datetime({ offset: true });
const recurrence = z.string().trim().min(1).max(500);
const duration = z.union([z.string().min(1).max(20), z.number().positive()]);

const createBody = z.strictObject({
  title,
  message,
  components,
  scheduled_for: time,
  /** One-off: required. Recurring: optional, defaults to scheduled_for + duration. */
  scheduled_until: time.optional(),
  recurrence: recurrence.optional(),
  duration: duration.optional(),
  by: z.string().optional(),
});

const patchBody = z.strictObject({
  title: title.optional(),
  message: message.optional(),
  components: components.optional(),
  scheduled_for: time.optional(),
  scheduled_until: time.optional(),
  /** null turns a recurring maintenance into a one-off. */
  recurrence: recurrence.nullable().optional(),
  duration: duration.optional(),
  by: z.string().optional(),
});

const STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;
const updateBody = z.strictObject({
  status: z.enum(STATUSES).optional(),
  message,
  by: z.string().optional(),
});
const finishBody = z.strictObject({ message: message.optional(), by: z.string().optional() });

const toJson = (m: MaintenanceRecord, status: MaintenancePublicStatus | 'cancelled') => ({
  id: m.id,
  title: m.title,
  message: m.message,
  components: m.components,
  scheduled_for: m.scheduledFor.toISOString(),
  scheduled_until: m.scheduledUntil.toISOString(),
  recurrence: m.recurrence?.rule ?? null,
  duration: m.recurrence ? `${Math.round(m.recurrence.durationMs / 1000)}s` : null,
  status,
  cancelled_at: m.cancelledAt?.toISOString() ?? null,
  completed_at: m.completedAt?.toISOString() ?? null,
  created_by: m.createdBy,
  created_at: m.createdAt.toISOString(),
  updated_at: m.updatedAt.toISOString(),
});

async function readJson<T>(c: Context, schema: z.ZodType<T>, optional = false): Promise<T> {
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new DomainError('invalid', 'body: too large');
  let json: unknown;
  try {
    json = optional && text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new DomainError('invalid', 'body: not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.join('.');
    throw new DomainError('invalid', `${path || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

function toDuration(d: string | number): number {
  const ms = parseDuration(d);
  if (ms === null || ms <= 0)
    throw new DomainError('invalid', 'duration: expected a duration such as 2h or 90m');
  return ms;
}

function checkWindow(from: Date, until: Date) {
  if (until <= from) throw new DomainError('invalid', 'scheduled_until: must be after scheduled_for');
}

type PatchBody = z.infer<typeof patchBody>;

/** The recurrence after a patch: null ends it; a new rule or a new duration (of a recurring one) replaces it. */
function patchedRecurrence(b: PatchBody, rec: Recurrence | null): Recurrence | null {
  if (b.recurrence === null) return null;
  if (b.recurrence === undefined && (b.duration === undefined || !rec)) return rec;
  const rule = b.recurrence ?? rec!.rule;
  const durationMs = b.duration !== undefined ? toDuration(b.duration) : rec?.durationMs;
  if (durationMs === undefined) throw new DomainError('invalid', 'duration: required with recurrence');
  return { rule, durationMs };
}

/** The end after a patch: as given, else the start plus the (new) duration when the window moved or changed length. */
function patchedUntil(b: PatchBody, scheduledFor: Date, rec: Recurrence | null, current: Date): Date {
  if (b.scheduled_until) return new Date(b.scheduled_until);
  if (!rec && b.duration !== undefined) return new Date(scheduledFor.getTime() + toDuration(b.duration));
  if (rec && (b.scheduled_for || b.duration !== undefined || b.recurrence))
    return new Date(scheduledFor.getTime() + rec.durationMs);
  return current;
}

/** The update posted for an edit: the caller's message, else what moved or which fields changed. */
function editMessage(b: PatchBody, moved: boolean, scheduledFor: Date, scheduledUntil: Date): string {
  if (b.message !== undefined) return b.message;
  if (moved) return `Rescheduled: now from ${scheduledFor.toISOString()} to ${scheduledUntil.toISOString()}.`;
  const changed = [
    b.title !== undefined && 'title',
    b.components !== undefined && 'components',
    (b.recurrence !== undefined || b.duration !== undefined) && 'recurrence',
  ].filter(Boolean);
  return `Updated: ${changed.join(', ') || 'details'}.`;
}

function windowState(w: { start: Date; end: Date } | null, now: Date): MaintenancePublicStatus {
  if (w && now < w.start) return 'scheduled';
  return w && now < w.end ? 'in_progress' : 'completed';
}

export function maintenanceApiRoutes(
  deps: Pick<AppDeps, 'store' | 'clock' | 'config'>,
  newId: () => string,
  announce: (event: ChangeEvent) => void,
): Hono {
  const app = new Hono();
  const known = new Set(deps.config.catalog.components.map((c) => c.id));
  const timeZone = deps.config.catalog.status_page.time_zone;

  const checkComponents = (ids: string[]) => {
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length) throw new DomainError('invalid', `components: unknown component "${unknown[0]}"`);
    return [...new Set(ids)];
  };
  const checkRule = (r: Recurrence, from: Date, now: Date) => {
    const check = checkRecurrence(r, from, timeZone, now);
    if (!check.ok) throw new DomainError('invalid', `${check.field}: ${check.message}`);
  };
  /** Status now: the current (or next) window's status, or `cancelled`. */
  const statusOf = async (
    m: MaintenanceRecord,
    preloaded?: MaintenanceUpdateRecord[],
  ): Promise<MaintenancePublicStatus | 'cancelled'> => {
    if (m.cancelledAt) return 'cancelled';
    const now = deps.clock.now();
    const updates = preloaded ?? (await maintenanceUpdates(deps.store.db, [m.id])).get(m.id) ?? [];
    const w = currentWindow(m, now);
    if (!w) return 'completed';
    return windowStatus(w, explicitUpdates(updatesOfWindow(updates, w, m.recurrence !== null)), now);
  };
  const currentWindow = (m: MaintenanceRecord, now: Date) => {
    const windows = windowsOf(m, timeZone, now, 1);
    return windows.find((w) => w.end > now) ?? windows.at(-1) ?? null;
  };
  const load = async (id: string): Promise<MaintenanceRecord> => {
    const m = await getMaintenance(deps.store.db, id);
    if (!m) throw new DomainError('not_found', `maintenance ${id} not found`);
    return m;
  };
  const change = async (
    c: Context,
    decide: (m: MaintenanceRecord, now: Date) => { patch: MaintenancePatch; change: MaintenanceChange },
  ) => {
    const id = c.req.param('id')!;
    const now = deps.clock.now();
    const m = await changeMaintenance(deps.store.db, id, now, (current) => {
      if (current.cancelledAt) throw new DomainError('conflict', `maintenance ${id} is cancelled`);
      return decide(current, now);
    });
    if (!m) throw new DomainError('not_found', `maintenance ${id} not found`);
    announce({ type: 'maintenance.changed', maintenanceId: m.id });
    return c.json(toJson(m, await statusOf(m)));
  };

  app.post('/maintenances', async (c) => {
    const b = await readJson(c, createBody);
    const ids = checkComponents(b.components);
    const now = deps.clock.now();
    const scheduledFor = new Date(b.scheduled_for);
    let rec: Recurrence | null = null;
    let scheduledUntil: Date;
    if (b.recurrence !== undefined) {
      if (b.duration === undefined) throw new DomainError('invalid', 'duration: required with recurrence');
      rec = { rule: b.recurrence, durationMs: toDuration(b.duration) };
      checkRule(rec, scheduledFor, now);
      scheduledUntil = b.scheduled_until
        ? new Date(b.scheduled_until)
        : new Date(scheduledFor.getTime() + rec.durationMs);
    } else {
      if (b.duration !== undefined && b.scheduled_until === undefined) {
        scheduledUntil = new Date(scheduledFor.getTime() + toDuration(b.duration));
      } else if (b.scheduled_until !== undefined) {
        scheduledUntil = new Date(b.scheduled_until);
      } else {
        throw new DomainError(
          'invalid',
          'scheduled_until: required (or duration, or recurrence with duration)',
        );
      }
    }
    checkWindow(scheduledFor, scheduledUntil);
    const by = resolveActor(c, b.by);
    const m = await insertMaintenance(
      deps.store.db,
      {
        id: newId(),
        title: b.title,
        message: b.message,
        components: ids,
        scheduledFor,
        scheduledUntil,
        createdBy: by,
        recurrence: rec,
      },
      now,
      { status: 'scheduled', message: b.message, actor: by },
    );
    announce({ type: 'maintenance.changed', maintenanceId: m.id });
    return c.json(toJson(m, await statusOf(m)), 201);
  });

  app.get('/maintenances', async (c) => {
    const page = parsePageRequest(c.req.query());
    const rows = await listMaintenances(deps.store.db, page);
    const { items, next_cursor } = toPage(rows, page.limit, (m) => ({ at: m.scheduledFor, id: m.id }));
    // One query for the page's histories, not one per maintenance.
    const updates = await maintenanceUpdates(
      deps.store.db,
      items.map((m) => m.id),
    );
    const out = await Promise.all(
      items.map(async (m) => toJson(m, await statusOf(m, updates.get(m.id) ?? []))),
    );
    return c.json({ items: out, next_cursor });
  });

  app.get('/maintenances/:id', async (c) => {
    const m = await load(c.req.param('id'));
    const now = deps.clock.now();
    const updates = (await maintenanceUpdates(deps.store.db, [m.id])).get(m.id) ?? [];
    return c.json({
      ...toJson(m, await statusOf(m, updates)),
      // The windows the status page shows: a one-off's own, or the previous, active and next occurrences.
      windows: windowsOf(m, timeZone, now).map((w) => ({
        start: w.start.toISOString(),
        end: w.end.toISOString(),
      })),
      updates: updates
        .slice()
        .reverse()
        .map((u) => ({
          kind: u.kind,
          status: u.status,
          message: u.message,
          at: u.at.toISOString(),
          by: u.actor,
        })),
    });
  });

  app.patch('/maintenances/:id', async (c) => {
    const b = await readJson(c, patchBody);
    const ids = b.components === undefined ? undefined : checkComponents(b.components);
    const by = resolveActor(c, b.by);
    return change(c, (m, now) => {
      const scheduledFor = b.scheduled_for ? new Date(b.scheduled_for) : m.scheduledFor;
      const rec = patchedRecurrence(b, m.recurrence);
      const scheduledUntil = patchedUntil(b, scheduledFor, rec, m.scheduledUntil);
      checkWindow(scheduledFor, scheduledUntil);
      if (rec && (b.recurrence !== undefined || b.duration !== undefined || b.scheduled_for))
        checkRule(rec, scheduledFor, now);
      const moved =
        scheduledFor.getTime() !== m.scheduledFor.getTime() ||
        scheduledUntil.getTime() !== m.scheduledUntil.getTime();
      const patch: MaintenancePatch = {
        ...(b.title !== undefined ? { title: b.title } : {}),
        ...(b.message !== undefined ? { message: b.message } : {}),
        ...(ids !== undefined ? { components: ids } : {}),
        scheduledFor,
        scheduledUntil,
        recurrence: rec,
      };
      const next = { ...m, scheduledFor, scheduledUntil, recurrence: rec };
      const status = windowState(currentWindow(next, now), now);
      const text = editMessage(b, moved, scheduledFor, scheduledUntil);
      return { patch, change: { kind: 'edited', status, message: text, actor: by } };
    });
  });

  app.post('/maintenances/:id/updates', async (c) => {
    const b = await readJson(c, updateBody);
    const by = resolveActor(c, b.by);
    const current = await load(c.req.param('id'));
    const status = b.status ?? (await statusOf(current));
    if (status === 'cancelled') throw new DomainError('conflict', `maintenance ${current.id} is cancelled`);
    return change(c, (m, now) => {
      // A one-off marked completed ends now, like complete.
      const early = status === 'completed' && !m.recurrence && now < m.scheduledUntil;
      return {
        patch: early ? { status: 'completed', completedAt: now } : {},
        change: {
          kind: status === 'completed' ? 'completed' : 'update',
          status,
          message: b.message,
          actor: by,
        },
      };
    });
  });

  app.post('/maintenances/:id/complete', async (c) => {
    const b = await readJson(c, finishBody, true);
    const by = resolveActor(c, b.by);
    return change(c, (m, now) => {
      const w = currentWindow(m, now);
      if (!w || now < w.start)
        throw new DomainError('conflict', `maintenance ${m.id} has not started; cancel it instead`);
      if (now >= w.end || m.completedAt)
        throw new DomainError('conflict', `maintenance ${m.id} is already completed`);
      return {
        patch: m.recurrence ? {} : { status: 'completed', completedAt: now },
        change: {
          kind: 'completed',
          status: 'completed',
          message: b.message ?? 'The scheduled maintenance has been completed.',
          actor: by,
        },
      };
    });
  });

  app.post('/maintenances/:id/cancel', async (c) => {
    const b = await readJson(c, finishBody, true);
    const by = resolveActor(c, b.by);
    return change(c, (m, now) => {
      if (!m.recurrence && (m.completedAt || now >= m.scheduledUntil))
        throw new DomainError('conflict', `maintenance ${m.id} is already completed`);
      return {
        patch: { status: 'cancelled', cancelledAt: now },
        change: {
          kind: 'cancelled',
          status: 'completed',
          message: b.message ?? 'This scheduled maintenance has been cancelled.',
          actor: by,
        },
      };
    });
  });
  return app;
}
