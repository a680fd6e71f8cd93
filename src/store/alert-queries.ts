import type { Db } from './db.ts';
import { type PageRequest, toPage } from './pagination.ts';

/** The API shape of an alert row (labels included: this is the internal API). */
function toApi(r: {
  id: string;
  source: string;
  fingerprint: string;
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  title: string;
  starts_at: Date;
  ends_at: Date | null;
  generator_url: string | null;
  first_seen_at: Date;
  last_seen_at: Date;
  seen_count: number;
  rule: string | null;
  incident_id: string | null;
  unrouted_reason: string | null;
  silenced_by: string | null;
  muted_by: string | null;
}) {
  return {
    id: r.id,
    source: r.source,
    fingerprint: r.fingerprint,
    status: r.status,
    title: r.title,
    labels: r.labels,
    annotations: r.annotations,
    starts_at: r.starts_at,
    ends_at: r.ends_at,
    generator_url: r.generator_url,
    first_seen_at: r.first_seen_at,
    last_seen_at: r.last_seen_at,
    seen_count: r.seen_count,
    routed: r.incident_id !== null,
    rule: r.rule,
    incident_id: r.incident_id,
    unrouted_reason: r.incident_id ? null : (r.unrouted_reason ?? 'no rule matched'),
    silenced_by: r.silenced_by,
    muted_by: r.muted_by,
  };
}

export async function listAlerts(
  db: Db,
  page: PageRequest,
  filter: {
    routed?: boolean;
    status?: string;
    source?: string;
    incidentId?: string;
    /** true: only alerts a silence held back; false: only the others. */
    silenced?: boolean;
    /** true: only alerts a maintenance muted; false: only the others. */
    muted?: boolean;
  },
) {
  let q = db
    .selectFrom('alerts')
    .select([
      'id',
      'source',
      'fingerprint',
      'status',
      'labels',
      'annotations',
      'title',
      'starts_at',
      'ends_at',
      'generator_url',
      'first_seen_at',
      'last_seen_at',
      'seen_count',
      'rule',
      'incident_id',
      'unrouted_reason',
      'silenced_by',
      'muted_by',
    ])
    .orderBy('last_seen_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (filter.routed === false) q = q.where('incident_id', 'is', null);
  if (filter.routed === true) q = q.where('incident_id', 'is not', null);
  if (filter.status) q = q.where('status', '=', filter.status as 'firing' | 'resolved');
  if (filter.source) q = q.where('source', '=', filter.source);
  if (filter.incidentId) q = q.where('incident_id', '=', filter.incidentId);
  if (filter.silenced !== undefined) q = q.where('silenced_by', filter.silenced ? 'is not' : 'is', null);
  if (filter.muted !== undefined) q = q.where('muted_by', filter.muted ? 'is not' : 'is', null);
  if (page.after) {
    const { at, id } = page.after;
    q = q.where((eb) =>
      eb.or([eb('last_seen_at', '<', at), eb.and([eb('last_seen_at', '=', at), eb('id', '<', id)])]),
    );
  }
  const rows = await q.execute();
  const paged = toPage(rows, page.limit, (r) => ({ at: new Date(r.last_seen_at), id: r.id }));
  return { items: paged.items.map(toApi), next_cursor: paged.next_cursor };
}

/** One alert's labels and title (the console's "silence from this alert"), or undefined. */
export async function getAlertLabels(
  db: Db,
  id: string,
): Promise<{ title: string; labels: Record<string, string> } | undefined> {
  return db.selectFrom('alerts').select(['title', 'labels']).where('id', '=', id).executeTakeFirst();
}
