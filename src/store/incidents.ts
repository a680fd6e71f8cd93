import { sql } from 'kysely';
import type { ComponentStatus } from '../core/component-status.ts';
import type { Incident, IncidentEvent, IncidentState, PublicStatus } from '../core/incident.ts';
import type { GroupRef } from '../core/route-plan.ts';
import type { Severity } from '../core/severity.ts';
import { groupsJson } from './candidates.ts';
import { chunked, inChunks } from './chunks.ts';
import type { Db, Trx } from './db.ts';
import type { IncidentsTable } from './schema.ts';

type IncidentRow = {
  [K in keyof IncidentsTable]: IncidentsTable[K] extends { __select__: infer S } ? S : IncidentsTable[K];
};

const d = (v: Date | string | null) => (v === null ? null : new Date(v));

export function incidentFromRow(r: IncidentRow): Incident {
  return {
    id: r.id,
    title: r.title,
    severity: r.severity as Severity,
    state: r.state as IncidentState,
    status: r.status as PublicStatus,
    rule: r.rule,
    groupKey: r.group_key,
    customers: r.customers,
    components: r.components,
    componentStatus: r.component_status as ComponentStatus | null,
    owner: r.owner,
    published: r.published,
    alertCount: r.alert_count,
    firingCount: r.firing_count,
    flapCount: r.flap_count,
    openedAt: new Date(r.opened_at),
    acknowledgedAt: d(r.acknowledged_at),
    resolvedAt: d(r.resolved_at),
    nextUpdateDue: d(r.next_update_due),
    lastResolvedAlertAt: d(r.last_resolved_alert_at),
    autoResolveAt: d(r.auto_resolve_at),
    lastAlertAt: d(r.last_alert_at),
  };
}

/** The incident's columns, arrays as arrays (for jsonb_to_recordset); incidentToRow adds the JSON text Kysely inserts. */
/** The incident's fields other than timestamps, snake_case (row columns and the internal API share them). */
export function incidentSnakeFields(i: Incident) {
  return {
    id: i.id,
    title: i.title,
    severity: i.severity,
    state: i.state,
    status: i.status,
    rule: i.rule,
    group_key: i.groupKey,
    customers: i.customers,
    components: i.components,
    component_status: i.componentStatus,
    owner: i.owner,
    published: i.published,
    alert_count: i.alertCount,
    firing_count: i.firingCount,
    flap_count: i.flapCount,
  };
}

function incidentColumns(i: Incident, now: Date) {
  return {
    ...incidentSnakeFields(i),
    opened_at: i.openedAt,
    acknowledged_at: i.acknowledgedAt,
    resolved_at: i.resolvedAt,
    next_update_due: i.nextUpdateDue,
    last_resolved_alert_at: i.lastResolvedAlertAt,
    auto_resolve_at: i.autoResolveAt,
    last_alert_at: i.lastAlertAt,
    updated_at: now,
  };
}

function incidentToRow(i: Incident, now: Date) {
  return {
    ...incidentColumns(i, now),
    customers: JSON.stringify(i.customers),
    components: JSON.stringify(i.components),
  };
}

export async function getIncident(
  db: Db | Trx,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<Incident | null> {
  let q = db.selectFrom('incidents').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? incidentFromRow(row) : null;
}

/** Appends timeline events in order, in slices (six bind parameters per row). */
export async function insertEvents(trx: Trx, events: IncidentEvent[]): Promise<void> {
  await inChunks(events, (chunk) =>
    trx
      .insertInto('incident_events')
      .values(
        chunk.map((e) => ({
          incident_id: e.incidentId,
          at: e.at,
          kind: e.kind,
          actor: e.actor,
          visibility: e.visibility,
          data: JSON.stringify(e.data),
        })),
      )
      .execute(),
  );
}

/**
 * Locks several correlation groups in one statement. Keys are taken in the order given (callers sort them),
 * which jsonb_array_elements preserves, so two transactions never wait on each other in opposite orders.
 */
export async function lockGroups(trx: Trx, groups: GroupRef[]): Promise<void> {
  await inChunks(groups, async (chunk) => {
    const keys = JSON.stringify(chunk.map((g) => `${g.rule}\n${g.groupKey}`));
    await sql`select pg_advisory_xact_lock(hashtextextended(k, 0))
              from jsonb_array_elements_text(${keys}::jsonb) with ordinality as t(k, n) order by n`.execute(
      trx,
    );
  });
}

/** For each group: its open incident, else its most recently resolved one. Two index-backed queries in all. */
export async function findGroupIncidents(trx: Trx, groups: GroupRef[]): Promise<Map<string, Incident>> {
  const found = new Map<string, Incident>();
  for (const chunk of chunked(groups)) await findChunkIncidents(trx, chunk, found);
  return found;
}

async function findChunkIncidents(trx: Trx, groups: GroupRef[], found: Map<string, Incident>) {
  const open = await sql<IncidentRow>`
    select i.* from jsonb_to_recordset(${groupsJson(groups)}::jsonb) as v(r text, g text)
    join incidents i on i.rule = v.r and i.group_key = v.g and i.state <> 'resolved'`.execute(trx);
  for (const row of open.rows) found.set(`${row.rule}\n${row.group_key}`, incidentFromRow(row));
  const rest = groups.filter((g) => !found.has(`${g.rule}\n${g.groupKey}`));
  if (rest.length > 0) {
    const recent = await sql<IncidentRow>`
      select r.* from jsonb_to_recordset(${groupsJson(rest)}::jsonb) as v(r text, g text)
      cross join lateral (
        select * from incidents i where i.rule = v.r and i.group_key = v.g order by i.resolved_at desc limit 1
      ) r`.execute(trx);
    for (const row of recent.rows) found.set(`${row.rule}\n${row.group_key}`, incidentFromRow(row));
  }
}

/** Writes several incidents' new states: one insert for the new ones, one update for the rest. */
export async function saveIncidents(
  trx: Trx,
  incidents: { incident: Incident; created: boolean }[],
  now: Date,
) {
  const created = incidents.filter((i) => i.created).map((i) => incidentToRow(i.incident, now));
  await inChunks(created, (chunk) => trx.insertInto('incidents').values(chunk).execute());
  const updated = incidents.filter((i) => !i.created).map((i) => incidentColumns(i.incident, now));
  await inChunks(updated, (chunk) => updateIncidents(trx, chunk));
}

async function updateIncidents(trx: Trx, updated: ReturnType<typeof incidentColumns>[]) {
  await sql`
    update incidents set title = v.title, severity = v.severity, state = v.state, status = v.status,
      customers = v.customers, components = v.components, component_status = v.component_status, owner = v.owner,
      published = v.published, alert_count = v.alert_count, firing_count = v.firing_count, flap_count = v.flap_count,
      opened_at = v.opened_at, acknowledged_at = v.acknowledged_at, resolved_at = v.resolved_at,
      next_update_due = v.next_update_due, last_resolved_alert_at = v.last_resolved_alert_at,
      auto_resolve_at = v.auto_resolve_at, last_alert_at = v.last_alert_at, updated_at = v.updated_at
    from jsonb_to_recordset(${JSON.stringify(updated)}::jsonb)
      as v(id text, title text, severity text, state text, status text, customers jsonb, components jsonb,
           component_status text, owner text, published boolean, alert_count integer, firing_count integer,
           flap_count integer, opened_at timestamptz, acknowledged_at timestamptz, resolved_at timestamptz,
           next_update_due timestamptz, last_resolved_alert_at timestamptz, auto_resolve_at timestamptz,
           last_alert_at timestamptz, updated_at timestamptz)
    where incidents.id = v.id`.execute(trx);
}

/** Links alerts to their incidents (and records the rule and group that routed them), in two statements. */
export async function attachAlertsToIncidents(
  trx: Trx,
  links: { incidentId: string; alertId: string; rule: string | null; groupKey: string | null }[],
  now: Date,
): Promise<void> {
  await inChunks(links, (chunk) => linkChunk(trx, chunk, now));
}

async function linkChunk(
  trx: Trx,
  links: { incidentId: string; alertId: string; rule: string | null; groupKey: string | null }[],
  now: Date,
) {
  const json = JSON.stringify(
    links.map((l) => ({ i: l.incidentId, a: l.alertId, r: l.rule, g: l.groupKey })),
  );
  await sql`
    insert into incident_alerts (incident_id, alert_id, attached_at)
    select v.i, v.a, ${now} from jsonb_to_recordset(${json}::jsonb) as v(i text, a text, r text, g text)
    on conflict (incident_id, alert_id) do nothing`.execute(trx);
  await sql`
    update alerts set incident_id = v.i, rule = v.r, group_key = v.g, unrouted_reason = null, waiting = false
    from jsonb_to_recordset(${json}::jsonb) as v(i text, a text, r text, g text)
    where alerts.id = v.a`.execute(trx);
}
