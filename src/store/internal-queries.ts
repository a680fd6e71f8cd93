import type { Incident } from '../core/incident.ts';
import type { SlaClock } from '../core/sla.ts';
import type { IncidentEventKind, TimelineEntry } from '../core/timeline.ts';
import type { Db } from './db.ts';
import { incidentFromRow } from './incidents.ts';
import { listClocks } from './sla-clocks.ts';

/** Read models of the internal console and timeline pages. */

export interface IncidentWithClocks {
  incident: Incident;
  clocks: SlaClock[];
}

async function withClocks(db: Db, incidents: Incident[]): Promise<IncidentWithClocks[]> {
  const clocks = await listClocks(
    db,
    incidents.map((i) => i.id),
  );
  return incidents.map((incident) => ({
    incident,
    clocks: clocks.filter((c) => c.incidentId === incident.id),
  }));
}

/** Open and acknowledged incidents (the console sorts them). */
export async function listOpenIncidents(db: Db, limit = 500): Promise<IncidentWithClocks[]> {
  const rows = await db
    .selectFrom('incidents')
    .selectAll()
    .where('state', '<>', 'resolved')
    .orderBy('opened_at')
    .limit(limit)
    .execute();
  return withClocks(db, rows.map(incidentFromRow));
}

export async function listRecentlyResolved(db: Db, since: Date, limit = 10): Promise<Incident[]> {
  const rows = await db
    .selectFrom('incidents')
    .selectAll()
    .where('state', '=', 'resolved')
    .where('resolved_at', '>=', since)
    .orderBy('resolved_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(incidentFromRow);
}

export async function getIncidentWithClocks(db: Db, id: string): Promise<IncidentWithClocks | null> {
  const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  return { incident: incidentFromRow(row), clocks: await listClocks(db, [id]) };
}

export interface UnroutedSummary {
  count: number;
  latest: {
    id: string;
    source: string;
    title: string;
    status: string;
    reason: string;
    lastSeenAt: Date;
  }[];
}

export async function unroutedAlerts(db: Db, latest = 5): Promise<UnroutedSummary> {
  const count = await db
    .selectFrom('alerts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('incident_id', 'is', null)
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('alerts')
    .select(['id', 'source', 'title', 'status', 'unrouted_reason', 'last_seen_at'])
    .where('incident_id', 'is', null)
    .orderBy('last_seen_at', 'desc')
    .orderBy('id', 'desc')
    .limit(latest)
    .execute();
  return {
    count: Number(count.n),
    latest: rows.map((r) => ({
      id: r.id,
      source: r.source,
      title: r.title,
      status: r.status,
      reason: r.unrouted_reason ?? 'no rule matched',
      lastSeenAt: new Date(r.last_seen_at),
    })),
  };
}

/** The one place stored JSON becomes typed: rows hold what the producers wrote, `EventDataByKind[kind]`. */
function entryFromRow(r: {
  id: number;
  at: Date;
  kind: IncidentEventKind;
  actor: string;
  visibility: 'public' | 'internal';
  data: Record<string, unknown>;
}): TimelineEntry {
  return {
    id: Number(r.id),
    at: new Date(r.at),
    kind: r.kind,
    actor: r.actor,
    visibility: r.visibility,
    data: r.data,
  } as TimelineEntry;
}

/** Every event of an incident, oldest first (review.md). */
export async function allEvents(db: Db, incidentId: string): Promise<TimelineEntry[]> {
  const rows = await db
    .selectFrom('incident_events')
    .select(['id', 'at', 'kind', 'actor', 'visibility', 'data'])
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
  return rows.map(entryFromRow);
}

/**
 * A slice of the timeline by event id: `after` an id going forward (oldest first) or `before` an id going
 * back (returned newest first). `limit + 1` rows tell the caller whether more follow.
 */
export async function timelineSlice(
  db: Db,
  incidentId: string,
  opts: {
    kinds: readonly IncidentEventKind[] | null;
    after?: number;
    before?: number;
    order: 'asc' | 'desc';
    limit: number;
  },
): Promise<TimelineEntry[]> {
  let q = db
    .selectFrom('incident_events')
    .select(['id', 'at', 'kind', 'actor', 'visibility', 'data'])
    .where('incident_id', '=', incidentId)
    .orderBy('id', opts.order)
    .limit(opts.limit);
  if (opts.kinds) q = q.where('kind', 'in', [...opts.kinds]);
  if (opts.after !== undefined) q = q.where('id', '>', opts.after);
  if (opts.before !== undefined) q = q.where('id', '<', opts.before);
  return (await q.execute()).map(entryFromRow);
}

/** Titles and states of alerts by id (chunked: a burst page may name thousands). */
export async function alertTitles(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, { title: string; status: string; source: string }>> {
  const out = new Map<string, { title: string; status: string; source: string }>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 1000) {
    const rows = await db
      .selectFrom('alerts')
      .select(['id', 'title', 'status', 'source'])
      .where('id', 'in', unique.slice(i, i + 1000))
      .execute();
    for (const r of rows) out.set(r.id, { title: r.title, status: r.status, source: r.source });
  }
  return out;
}
