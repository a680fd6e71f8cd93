import { type Selectable, sql } from 'kysely';
import type { CandidateGroup } from '../core/candidate.ts';
import type { ComponentStatus } from '../core/component-status.ts';
import type { Incident, IncidentEvent, IncidentState, PublicStatus } from '../core/incident.ts';
import type { Severity } from '../core/severity.ts';
import type { Trx } from './alerts.ts';
import type { Db } from './db.ts';
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

function incidentToRow(i: Incident, now: Date) {
  return {
    id: i.id,
    title: i.title,
    severity: i.severity,
    state: i.state,
    status: i.status,
    rule: i.rule,
    group_key: i.groupKey,
    customers: JSON.stringify(i.customers),
    components: JSON.stringify(i.components),
    component_status: i.componentStatus,
    owner: i.owner,
    published: i.published,
    alert_count: i.alertCount,
    firing_count: i.firingCount,
    flap_count: i.flapCount,
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

/** The open incident of a group, else its most recently resolved one (flap reopen). Index-backed: no scan. */
export async function findGroupIncident(trx: Trx, rule: string, groupKey: string): Promise<Incident | null> {
  const open = await trx
    .selectFrom('incidents')
    .selectAll()
    .where('rule', '=', rule)
    .where('group_key', '=', groupKey)
    .where('state', '<>', 'resolved')
    .executeTakeFirst();
  if (open) return incidentFromRow(open);
  const recent = await trx
    .selectFrom('incidents')
    .selectAll()
    .where('rule', '=', rule)
    .where('group_key', '=', groupKey)
    .orderBy('resolved_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return recent ? incidentFromRow(recent) : null;
}

/** Serializes work on one correlation group across transactions, connections and replicas. */
export async function lockGroup(trx: Trx, rule: string, groupKey: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`${rule}\n${groupKey}`}, 0))`.execute(trx);
}

export async function insertIncident(trx: Trx, incident: Incident, now: Date): Promise<void> {
  await trx.insertInto('incidents').values(incidentToRow(incident, now)).execute();
}

export async function updateIncident(trx: Trx, incident: Incident, now: Date): Promise<void> {
  const { id, ...row } = incidentToRow(incident, now);
  await trx.updateTable('incidents').set(row).where('id', '=', id).execute();
}

export async function insertEvents(trx: Trx, events: IncidentEvent[]): Promise<void> {
  if (events.length === 0) return;
  await trx
    .insertInto('incident_events')
    .values(
      events.map((e) => ({
        incident_id: e.incidentId,
        at: e.at,
        kind: e.kind,
        actor: e.actor,
        visibility: e.visibility,
        data: JSON.stringify(e.data),
      })),
    )
    .execute();
}

export async function attachAlerts(
  trx: Trx,
  incidentId: string,
  alertIds: string[],
  now: Date,
): Promise<void> {
  if (alertIds.length === 0) return;
  await trx
    .insertInto('incident_alerts')
    .values(alertIds.map((alert_id) => ({ incident_id: incidentId, alert_id, attached_at: now })))
    .onConflict((oc) => oc.columns(['incident_id', 'alert_id']).doNothing())
    .execute();
  await trx
    .updateTable('alerts')
    .set({ incident_id: incidentId, unrouted_reason: null })
    .where('id', 'in', alertIds)
    .execute();
}

export async function getCandidate(trx: Trx, rule: string, groupKey: string): Promise<CandidateGroup | null> {
  const r = await trx
    .selectFrom('candidate_groups')
    .selectAll()
    .where('rule', '=', rule)
    .where('group_key', '=', groupKey)
    .executeTakeFirst();
  if (!r) return null;
  return {
    rule: r.rule,
    groupKey: r.group_key,
    firstAt: new Date(r.first_at),
    expiresAt: new Date(r.expires_at),
    firstAlertStartsAt: new Date(r.first_alert_starts_at),
    alertIds: r.alert_ids,
    firingAlertIds: r.firing_alert_ids,
    customers: r.customers,
    alertCount: r.alert_count,
  };
}

export async function putCandidate(trx: Trx, c: CandidateGroup): Promise<void> {
  const row = {
    rule: c.rule,
    group_key: c.groupKey,
    first_at: c.firstAt,
    expires_at: c.expiresAt,
    first_alert_starts_at: c.firstAlertStartsAt,
    alert_ids: JSON.stringify(c.alertIds),
    firing_alert_ids: JSON.stringify(c.firingAlertIds),
    customers: JSON.stringify(c.customers),
    alert_count: c.alertCount,
  };
  await trx
    .insertInto('candidate_groups')
    .values(row)
    .onConflict((oc) => oc.columns(['rule', 'group_key']).doUpdateSet(row))
    .execute();
}

export async function deleteCandidate(trx: Trx, rule: string, groupKey: string): Promise<void> {
  await trx
    .deleteFrom('candidate_groups')
    .where('rule', '=', rule)
    .where('group_key', '=', groupKey)
    .execute();
}

/** Routing outcome for alerts that joined no incident: which rule saw them and why they wait or were dropped. */
export async function markUnrouted(
  trx: Trx,
  rows: { id: string; rule: string | null; groupKey: string | null; reason: string }[],
) {
  if (rows.length === 0) return;
  await sql`
    update alerts set rule = v.rule, group_key = v.group_key, unrouted_reason = v.reason
    from jsonb_to_recordset(${JSON.stringify(rows.map((r) => ({ id: r.id, rule: r.rule, group_key: r.groupKey, reason: r.reason })))}::jsonb)
      as v(id text, rule text, group_key text, reason text)
    where alerts.id = v.id and alerts.incident_id is null`.execute(trx);
}
