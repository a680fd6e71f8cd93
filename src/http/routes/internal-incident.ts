import { type Context, Hono } from 'hono';
import type { Catalog } from '../../catalog.ts';
import { DomainError } from '../../core/errors.ts';
import {
  ALERT_KINDS,
  type IncidentEventKind,
  isAlertEvent,
  type TimelineEntry,
} from '../../core/timeline.ts';
import {
  groupTimeline,
  isTimelineFilter,
  rowFirst,
  rowLast,
  TIMELINE_FILTERS,
  type TimelineRow,
} from '../../core/timeline-groups.ts';
import type { IncidentActions } from '../../pipeline/actions.ts';
import type { Clock } from '../../pipeline/ports.ts';
import type { Db } from '../../store/db.ts';
import { alertTitles, getIncidentWithClocks, timelineSlice } from '../../store/internal-queries.ts';
import { resolveActor } from '../actor.ts';
import { internalAuthOf } from '../middleware/internal-auth.ts';
import { FRAGMENT_HEADER, renderTimeline, renderTimelineLive } from '../render.ts';
import { reviewResponse } from '../review-response.ts';
import { incidentHref } from '../view-models/internal-console.ts';
import { internalLayout } from '../view-models/internal-layout.ts';
import { catalogNames } from '../view-models/internal-names.ts';
import { BURST_LIST_MAX, type TimelinePage, timelinePageView } from '../view-models/internal-timeline.ts';

export interface IncidentPageDeps {
  db: Db;
  clock: Clock;
  catalog: Catalog;
  actions: IncidentActions;
}

/** Grouped rows per page; bursts make one row of many events, so a page reads at most MAX_EVENTS. */
const PAGE_ROWS = 500;
const CHUNK_EVENTS = 2_000;
const MAX_EVENTS = 20_000;
/** What the summary band reads, whatever the page shows. */
const KEY_KINDS: IncidentEventKind[] = ['opened', 'acknowledged', 'owner.assigned', 'update.posted'];

type Order = 'oldest' | 'newest';

/** Events in display-independent time order (oldest first), whichever way they were read. */
const chronological = (read: TimelineEntry[], order: Order) =>
  order === 'oldest' ? read : [...read].reverse();

/**
 * Reads events in chunks from the cursor until there is enough for a page of PAGE_ROWS rows (or
 * MAX_EVENTS); `more` says whether events remain past what was read.
 */
async function readEvents(
  db: Db,
  incidentId: string,
  kinds: readonly IncidentEventKind[] | null,
  order: Order,
  cursor: number | undefined,
): Promise<{ read: TimelineEntry[]; more: boolean }> {
  const read: TimelineEntry[] = [];
  let position = cursor;
  for (;;) {
    const chunk = await timelineSlice(db, incidentId, {
      kinds,
      order: order === 'oldest' ? 'asc' : 'desc',
      limit: CHUNK_EVENTS + 1,
      ...positionBound(order, position),
    });
    const more = chunk.length > CHUNK_EVENTS;
    const taken = chunk.slice(0, CHUNK_EVENTS);
    read.push(...taken);
    position = taken.at(-1)?.id;
    if (!more || enoughForPage(read, order)) return { read, more };
  }
}

function positionBound(order: Order, position: number | undefined) {
  if (position === undefined) return {};
  return order === 'oldest' ? { after: position } : { before: position };
}

/** Enough rows for a page (non-alert events are one row each; bursts are cheap to over-read). */
function enoughForPage(read: TimelineEntry[], order: Order): boolean {
  const rowsSoFar = read.filter((e) => !ALERT_KINDS.has(e.kind)).length;
  if (rowsSoFar > PAGE_ROWS || read.length >= MAX_EVENTS) return true;
  return groupTimeline(chronological(read, order)).length > PAGE_ROWS;
}

/**
 * Cuts grouped rows (in reading order: oldest-first rows as is, newest-first rows reversed) to a page. A
 * burst cut by the end of what was read is left for the next page unless it is the only row.
 */
function cutPage(rows: TimelineRow[], more: boolean): { rows: TimelineRow[]; more: boolean } {
  if (rows.length > PAGE_ROWS) return { rows: rows.slice(0, PAGE_ROWS), more: true };
  if (more && rows.length > 1) return { rows: rows.slice(0, -1), more };
  return { rows, more };
}

/**
 * One page of grouped rows. Events are read in chunks until the page has PAGE_ROWS rows; a burst cut by
 * the end of what was read is left for the next page (unless it is the only row: then it continues there).
 */
async function loadTimelinePage(
  db: Db,
  incidentId: string,
  q: Record<string, string>,
): Promise<TimelinePage> {
  const filter = isTimelineFilter(q.kind) ? q.kind : null;
  const order: Order = q.order === 'newest' ? 'newest' : 'oldest';
  const raw = order === 'newest' ? q.before : q.after;
  const cursor = raw && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
  const kinds = filter ? TIMELINE_FILTERS[filter].kinds : null;
  const { read, more: unread } = await readEvents(db, incidentId, kinds, order, cursor);
  // Grouping runs oldest first; a newest-first page is cut from its newest end, so work on the reversal.
  const grouped = groupTimeline(chronological(read, order));
  const { rows, more } = cutPage(order === 'oldest' ? grouped : grouped.reverse(), unread);
  const last = rows.at(-1);
  let nextCursor: number | null = null;
  if (more && last) nextCursor = order === 'oldest' ? rowLast(last).id : rowFirst(last).id;
  return { rows, order, filter, nextCursor, continued: cursor !== undefined };
}

function alertIdsOf(rows: readonly TimelineRow[]): string[] {
  const ids: string[] = [];
  const add = (e: TimelineEntry) => {
    if (isAlertEvent(e)) ids.push(e.data.alertId);
  };
  for (const r of rows) {
    if (r.type === 'burst') r.events.slice(0, BURST_LIST_MAX).forEach(add);
    else if (ALERT_KINDS.has(r.event.kind)) add(r.event);
  }
  return ids;
}

const NOT_FOUND =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title>' +
  '<link rel="stylesheet" href="/static/internal.css"></head><body class="internal"><main class="wrap">' +
  '<h1>Incident not found</h1><p><a href="/internal">Back to the console</a></p></main></body></html>';

const ERROR_STATUS: Record<string, 400 | 404 | 409> = { invalid: 400, not_found: 404, conflict: 409 };

/** GET /internal/incidents/:id (timeline), its review.md, and the responder actions posted from it. */
export function incidentPageRoutes(deps: IncidentPageDeps): Hono {
  const app = new Hono();
  const names = catalogNames(deps.catalog);
  const title = deps.catalog.status_page.title;
  const tz = deps.catalog.status_page.time_zone;

  async function page(c: Context, id: string, error: { message: string; status: 400 | 404 | 409 } | null) {
    const found = await getIncidentWithClocks(deps.db, id);
    if (!found) return c.html(NOT_FOUND, 404);
    const q = c.req.method === 'GET' ? c.req.query() : {};
    const timeline = await loadTimelinePage(deps.db, id, q);
    const keyEvents = await timelineSlice(deps.db, id, { kinds: KEY_KINDS, order: 'asc', limit: 100_000 });
    const layout = internalLayout(
      internalAuthOf(c),
      `${found.incident.title} - ${title}`,
      title,
      `incident:${found.incident.id}`,
    );
    const vm = timelinePageView({
      layout,
      incident: found.incident,
      clocks: found.clocks,
      keyEvents,
      page: timeline,
      alerts: await alertTitles(deps.db, alertIdsOf(timeline.rows)),
      names,
      sla: deps.catalog,
      now: deps.clock.now(),
      timeZone: tz,
      error: error?.message ?? null,
    });
    const live = c.req.header(FRAGMENT_HEADER) === 'live';
    return c.html(live ? renderTimelineLive(vm) : renderTimeline(vm), error?.status ?? 200);
  }

  app.get('/incidents/:id', (c) => page(c, c.req.param('id'), null));

  app.get('/incidents/:id/review.md', (c) => reviewResponse(c, deps, c.req.param('id')));

  /** Runs an action from a form, then 303 back to the timeline; a refused action re-renders it with why. */
  const action =
    (run: (id: string, form: Record<string, string>, actor: string) => Promise<unknown>) =>
    async (c: Context) => {
      const id = c.req.param('id')!;
      const parsed = await c.req.parseBody();
      const form: Record<string, string> = {};
      for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') form[k] = v;
      try {
        await run(id, form, resolveActor(c, undefined));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        return page(c, id, { message: err.message, status: ERROR_STATUS[err.code] ?? 400 });
      }
      // The console's own buttons bring the responder back to the console.
      return c.redirect(form.return === 'console' ? '/internal' : incidentHref(id), 303);
    };
  const optional = (v: string | undefined) => (v?.trim() ? v : undefined);

  app.post(
    '/incidents/:id/acknowledge',
    action((id, _f, actor) => deps.actions.acknowledge(id, actor)),
  );
  app.post(
    '/incidents/:id/assign',
    action((id, f, actor) => deps.actions.assign(id, f.owner, actor)),
  );
  app.post(
    '/incidents/:id/severity',
    action((id, f, actor) =>
      deps.actions.changeSeverity(id, { severity: f.severity ?? '', reason: f.reason }, actor),
    ),
  );
  app.post(
    '/incidents/:id/updates',
    action((id, f, actor) =>
      deps.actions.postUpdate(
        id,
        { status: f.status ?? '', message: f.message, nextUpdateIn: optional(f.next_update_in) },
        actor,
      ),
    ),
  );
  app.post(
    '/incidents/:id/notes',
    action((id, f, actor) => deps.actions.addNote(id, f.message, actor)),
  );
  app.post(
    '/incidents/:id/resolve',
    action((id, f, actor) => deps.actions.resolve(id, { message: optional(f.message) }, actor)),
  );
  app.post(
    '/incidents/:id/reopen',
    action((id, f, actor) => deps.actions.reopen(id, { reason: optional(f.reason) }, actor)),
  );
  return app;
}
