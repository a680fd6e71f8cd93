import { sql } from 'kysely';
import { DomainError } from '../core/errors.ts';
import type { Incident } from '../core/incident.ts';
import { isSeverity } from '../core/severity.ts';
import { clockState, type SlaClock } from '../core/sla.ts';
import type { Db, Trx } from './db.ts';
import { incidentFromRow, incidentSnakeFields } from './incidents.ts';
import { type PageRequest, toPage } from './pagination.ts';
import { listClocks } from './sla-clocks.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The latest clock per target, as the API shows them. */
function slaSummary(clocks: SlaClock[]) {
  const latest = new Map<string, SlaClock>();
  for (const c of clocks) latest.set(c.target, c);
  return [...latest.values()].map((c) => ({
    target: c.target,
    state: clockState(c),
    tier: c.tier,
    started_at: iso(c.startedAt),
    due_at: iso(c.dueAt),
    warn_at: iso(c.warnAt),
    met_at: iso(c.metAt),
    warned_at: iso(c.warnedAt),
    breached_at: iso(c.breachedAt),
    cancelled_at: iso(c.cancelledAt),
  }));
}

/** The internal API shape of an incident (snake_case, as the contract names the fields). */
function incidentToApi(i: Incident, clocks: SlaClock[]) {
  return {
    ...incidentSnakeFields(i),
    opened_at: iso(i.openedAt),
    acknowledged_at: iso(i.acknowledgedAt),
    resolved_at: iso(i.resolvedAt),
    next_update_due: iso(i.nextUpdateDue),
    auto_resolve_at: iso(i.autoResolveAt),
    last_alert_at: iso(i.lastAlertAt),
    sla: slaSummary(clocks),
  };
}

export type IncidentApi = ReturnType<typeof incidentToApi>;

export async function getIncidentApi(db: Db, id: string): Promise<IncidentApi | null> {
  const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  return incidentToApi(incidentFromRow(row), await listClocks(db, [id]));
}

export interface IncidentFilter {
  /** `open` counts acknowledged incidents too (the contract's meaning). */
  state?: string | undefined;
  severity?: string | undefined;
  customer?: string | undefined;
}

export async function listIncidents(db: Db, page: PageRequest, filter: IncidentFilter) {
  let q = db
    .selectFrom('incidents')
    .selectAll()
    .orderBy('opened_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (filter.state !== undefined) {
    if (filter.state === 'open') q = q.where('state', '<>', 'resolved');
    else if (filter.state === 'acknowledged' || filter.state === 'resolved')
      q = q.where('state', '=', filter.state);
    else throw new DomainError('invalid', 'state: expected open, acknowledged or resolved');
  }
  if (filter.severity !== undefined) {
    if (!isSeverity(filter.severity))
      throw new DomainError('invalid', 'severity: expected SEV1, SEV2, SEV3 or SEV4');
    q = q.where('severity', '=', filter.severity);
  }
  if (filter.customer !== undefined) {
    q = q.where(sql<boolean>`customers @> ${JSON.stringify([filter.customer])}::jsonb`);
  }
  if (page.after) {
    const { at, id } = page.after;
    q = q.where((eb) =>
      eb.or([eb('opened_at', '<', at), eb.and([eb('opened_at', '=', at), eb('id', '<', id)])]),
    );
  }
  const rows = await q.execute();
  const paged = toPage(rows, page.limit, (r) => ({ at: new Date(r.opened_at), id: r.id }));
  const clocks = await listClocks(
    db,
    paged.items.map((r) => r.id),
  );
  return {
    items: paged.items.map((r) =>
      incidentToApi(
        incidentFromRow(r),
        clocks.filter((c) => c.incidentId === r.id),
      ),
    ),
    next_cursor: paged.next_cursor,
  };
}

/** Timeline oldest first; the cursor is the last event returned. */
export async function listTimeline(
  db: Db,
  incidentId: string,
  page: PageRequest,
  filter: { visibility?: string | undefined } = {},
) {
  let q = db
    .selectFrom('incident_events')
    .select(['id', 'at', 'kind', 'actor', 'visibility', 'data'])
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .limit(page.limit + 1);
  if (filter.visibility !== undefined) {
    if (filter.visibility !== 'public' && filter.visibility !== 'internal') {
      throw new DomainError('invalid', 'visibility: expected public or internal');
    }
    q = q.where('visibility', '=', filter.visibility);
  }
  if (page.after) q = q.where('id', '>', Number(page.after.id));
  const rows = await q.execute();
  const paged = toPage(rows, page.limit, (r) => ({ at: new Date(r.at), id: r.id }));
  return {
    items: paged.items.map((r) => ({
      id: Number(r.id),
      at: new Date(r.at).toISOString(),
      kind: r.kind,
      actor: r.actor,
      visibility: r.visibility,
      data: r.data,
    })),
    next_cursor: paged.next_cursor,
  };
}

/**
 * Reads and locks an incident for an action. `for no key update`, not `for update`: inserting its events and
 * clocks elsewhere (the SLA job holds clock locks while it does) only needs a key-share lock, so the two
 * never wait on each other in a cycle.
 */
export async function lockIncident(trx: Trx, id: string): Promise<Incident | null> {
  const row = await trx
    .selectFrom('incidents')
    .selectAll()
    .where('id', '=', id)
    .forNoKeyUpdate()
    .executeTakeFirst();
  return row ? incidentFromRow(row) : null;
}

/** The open incident of a correlation group other than `exceptId`, if any (reopen must not make two). */
export async function openGroupIncidentId(
  trx: Trx,
  rule: string,
  groupKey: string,
  exceptId: string,
): Promise<string | null> {
  const row = await trx
    .selectFrom('incidents')
    .select('id')
    .where('rule', '=', rule)
    .where('group_key', '=', groupKey)
    .where('state', '<>', 'resolved')
    .where('id', '<>', exceptId)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Store-derived gauge values, so /metrics is right right after a restart. */
export async function gaugeCounts(db: Db, now: Date) {
  const open = await db
    .selectFrom('incidents')
    .select(['severity', sql<number>`count(*)`.as('n')])
    .where('state', '<>', 'resolved')
    .groupBy('severity')
    .execute();
  const customers = await sql<{ n: number }>`
    select count(distinct c.value) as n
    from incidents, jsonb_array_elements_text(incidents.customers) as c(value)
    where incidents.state <> 'resolved'`.execute(db);
  const overdue = await db
    .selectFrom('incidents')
    .innerJoin('sla_clocks', 'sla_clocks.incident_id', 'incidents.id')
    .select(sql<number>`count(distinct incidents.id)`.as('n'))
    .where('incidents.state', '<>', 'resolved')
    .where('incidents.published', '=', true)
    .where('sla_clocks.target', '=', 'update')
    .where('sla_clocks.met_at', 'is', null)
    .where('sla_clocks.cancelled_at', 'is', null)
    .where('sla_clocks.due_at', '<=', now)
    .executeTakeFirst();
  return {
    openBySeverity: Object.fromEntries(open.map((r) => [r.severity, Number(r.n)])) as Record<string, number>,
    customersAffected: Number(customers.rows[0]?.n ?? 0),
    updatesOverdue: Number(overdue?.n ?? 0),
  };
}
