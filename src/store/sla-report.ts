import { type RawBuilder, sql } from 'kysely';
import { SLA_TARGETS, type SlaTarget } from '../core/sla.ts';
import type { DurationStats, ReportAggregate } from '../core/sla-report.ts';
import type { Db } from './db.ts';

export interface SlaReportQuery {
  /** Incidents opened in [from, to). */
  from: Date;
  to: Date;
  /** Clocks running past this instant are missed, before it pending. */
  now: Date;
  /** Only incidents naming this customer, and only this customer's rows. */
  customer: string | null;
}

const OUTCOMES = ['met', 'missed', 'pending'] as const;
const countColumns = SLA_TARGETS.flatMap((t) => OUTCOMES.map((o) => ({ t, o, name: `${t}_${o}` })));

/** Constant identifiers only (targets × outcomes), never input. */
const raw = (text: string) => sql.raw(text);

const perIncidentCounts = raw(
  countColumns
    .map(({ t, o, name }) => `count(*) filter (where target = '${t}' and outcome = '${o}')::int as ${name}`)
    .join(',\n      '),
);
const coalescedCounts = raw(countColumns.map(({ name }) => `coalesce(cc.${name}, 0) as ${name}`).join(', '));
const summedCounts = raw(countColumns.map(({ name }) => `sum(${name})::int as ${name}`).join(', '));

/** MTTA/MTTR and clock outcome sums over whichever grouping the select names. */
const aggregates = sql`
      count(*)::int as incidents,
      avg(tta) as mtta_mean, percentile_cont(0.9) within group (order by tta) as mtta_p90, count(tta)::int as mtta_count,
      avg(ttr) as mttr_mean, percentile_cont(0.9) within group (order by ttr) as mttr_p90, count(ttr)::int as mttr_count,
      ${summedCounts}`;

type Row = Record<string, unknown> & {
  level: ReportAggregate['level'];
  customer: string | null;
  severity: string | null;
};

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const seconds = (v: unknown) => {
  const n = num(v);
  return n === null ? null : Math.round(n);
};
const stats = (r: Row, prefix: 'mtta' | 'mttr'): DurationStats => ({
  mean: seconds(r[`${prefix}_mean`]),
  p90: seconds(r[`${prefix}_p90`]),
  count: Number(r[`${prefix}_count`] ?? 0),
});

/**
 * Every number of the monthly SLA report in one statement: the month's incidents, their first
 * acknowledgement and last resolution from the timeline, and each SLA clock's outcome, folded per
 * incident, then grouped per customer × severity and per customer (customers exploded from the jsonb
 * array; none → customer null) and, without exploding, per severity and for the whole month.
 * percentile_cont is the same ordered-set aggregate in PGlite and PostgreSQL.
 */
export async function slaReportAggregates(db: Db, q: SlaReportQuery): Promise<ReportAggregate[]> {
  const incidentFilter: RawBuilder<unknown> =
    q.customer === null ? sql`` : sql`and customers @> ${JSON.stringify([q.customer])}::jsonb`;
  const customerFilter: RawBuilder<unknown> =
    q.customer === null ? sql`` : sql`where cu.customer = ${q.customer}`;
  const result = await sql<Row>`
    with month_incidents as (
      select id, severity, state, customers, opened_at
      from incidents
      where opened_at >= ${q.from} and opened_at < ${q.to} ${incidentFilter}
    ),
    acks as (
      select e.incident_id, min(e.at) as at
      from incident_events e join month_incidents m on m.id = e.incident_id
      where e.kind = 'acknowledged'
      group by e.incident_id
    ),
    -- A reopened incident's time to resolve runs to its last resolution, and only while it is resolved.
    resolutions as (
      select e.incident_id, max(e.at) as at
      from incident_events e join month_incidents m on m.id = e.incident_id
      where e.kind = 'resolved' and m.state = 'resolved'
      group by e.incident_id
    ),
    clock_outcomes as (
      select c.incident_id, c.target,
        case
          when c.breached_at is not null then 'missed'
          when c.met_at is not null then case when c.met_at <= c.due_at then 'met' else 'missed' end
          -- Cancelled before due: no promise was broken, none kept; not counted.
          when c.cancelled_at is not null then case when c.cancelled_at < c.due_at then null else 'missed' end
          -- Past due but the SLA job has not marked it yet.
          when c.due_at <= ${q.now} then 'missed'
          else 'pending'
        end as outcome
      from sla_clocks c join month_incidents m on m.id = c.incident_id
    ),
    clock_counts as (
      select incident_id,
      ${perIncidentCounts}
      from clock_outcomes
      group by incident_id
    ),
    per_incident as (
      select m.id, m.severity, m.customers,
        extract(epoch from (a.at - m.opened_at))::float8 as tta,
        extract(epoch from (r.at - m.opened_at))::float8 as ttr,
        ${coalescedCounts}
      from month_incidents m
      left join acks a on a.incident_id = m.id
      left join resolutions r on r.incident_id = m.id
      left join clock_counts cc on cc.incident_id = m.id
    ),
    per_customer as (
      select cu.customer, p.*
      from per_incident p
      left join lateral jsonb_array_elements_text(p.customers) as cu(customer) on true
      ${customerFilter}
    )
    select case when grouping(severity) = 1 then 'customer' else 'row' end as level, customer, severity,
      ${aggregates}
    from per_customer
    group by grouping sets ((customer, severity), (customer))
    union all
    select case when grouping(severity) = 1 then 'total' else 'severity' end as level, null as customer, severity,
      ${aggregates}
    from per_incident
    group by grouping sets ((severity), ())
  `.execute(db);

  return result.rows.map((r) => ({
    level: r.level,
    customer: r.customer,
    severity: r.level === 'row' || r.level === 'severity' ? r.severity : null,
    incidents: Number(r.incidents),
    mtta: stats(r, 'mtta'),
    mttr: stats(r, 'mttr'),
    targets: Object.fromEntries(
      SLA_TARGETS.map((t) => [
        t,
        {
          met: Number(r[`${t}_met`] ?? 0),
          missed: Number(r[`${t}_missed`] ?? 0),
          pending: Number(r[`${t}_pending`] ?? 0),
        },
      ]),
    ) as Record<SlaTarget, { met: number; missed: number; pending: number }>,
  }));
}
