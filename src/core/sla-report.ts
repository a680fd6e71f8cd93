import { DomainError } from './errors.ts';
import { localDateOf, startOfLocalDay } from './local-time.ts';
import { SEVERITIES } from './severity.ts';
import { SLA_TARGETS, type SlaTarget } from './sla.ts';

/**
 * The monthly SLA report: month arithmetic in a time zone, the shape of the answer from the store's
 * aggregates, and CSV. Pure: the store does the counting (SQL), this only names and orders it.
 */

export interface ReportMonth {
  year: number;
  /** 1..12 */
  month: number;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export const formatMonth = (m: ReportMonth) =>
  `${String(m.year).padStart(4, '0')}-${String(m.month).padStart(2, '0')}`;

/** `YYYY-MM`; anything else is a 400 naming the parameter. */
export function parseMonth(value: string): ReportMonth {
  const m = MONTH.exec(value.trim());
  if (!m || Number(m[1]) < 1970) {
    throw new DomainError('invalid', `month: expected YYYY-MM (e.g. 2026-11), got ${JSON.stringify(value)}`);
  }
  return { year: Number(m[1]), month: Number(m[2]) };
}

export function addMonths(m: ReportMonth, n: number): ReportMonth {
  const index = m.year * 12 + (m.month - 1) + n;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** The month an instant falls in, in a zone (the page's default: the current month). */
export function monthOf(at: Date, timeZone: string): ReportMonth {
  const d = localDateOf(at.getTime(), timeZone);
  return { year: d.y, month: d.m };
}

/** Local midnight of the 1st of a month (DST-correct, shared with the status page's day edges). */
function startOfMonth(m: ReportMonth, timeZone: string): Date {
  return new Date(startOfLocalDay({ y: m.year, m: m.month, d: 1 }, timeZone));
}

/** `[from, to)`: local midnight of the 1st to local midnight of the next 1st. */
export function monthWindow(m: ReportMonth, timeZone: string): { from: Date; to: Date } {
  return { from: startOfMonth(m, timeZone), to: startOfMonth(addMonths(m, 1), timeZone) };
}

/** One grouping from the store: a customer × severity row, a customer, a severity, or the whole month. */
export interface ReportAggregate {
  level: 'row' | 'customer' | 'severity' | 'total';
  /** null: incidents without customers (and on severity/total levels). */
  customer: string | null;
  severity: string | null;
  incidents: number;
  mtta: DurationStats;
  mttr: DurationStats;
  targets: Record<SlaTarget, { met: number; missed: number; pending: number }>;
}

/** Seconds; mean and p90 over `count` incidents (null when there are none). */
export interface DurationStats {
  mean: number | null;
  p90: number | null;
  count: number;
}

export interface TargetShare {
  met: number;
  missed: number;
  pending: number;
  /** met / (met + missed), 4 decimals; null when no clock came due or was met. */
  share: number | null;
}

export interface ReportStats {
  incidents: number;
  mtta_seconds: DurationStats;
  mttr_seconds: DurationStats;
  targets: Record<SlaTarget, TargetShare>;
}

export interface ReportRow extends ReportStats {
  customer: string | null;
  customer_name: string | null;
  severity: string;
}

export interface ReportCustomer extends ReportStats {
  customer: string | null;
  customer_name: string | null;
}

export interface SlaReport {
  month: string;
  time_zone: string;
  from: string;
  to: string;
  /** The instant the counts were taken: pending clocks are "not yet due" as of this. */
  generated_at: string;
  /** The `customer` filter, or null. */
  customer: string | null;
  definitions: typeof DEFINITIONS;
  rows: ReportRow[];
  /** Per customer across severities (what the page's charts show). */
  customers: ReportCustomer[];
  /** Every incident once (an incident with several customers counts once here), overall and per severity. */
  totals: ReportStats & { by_severity: (ReportStats & { severity: string })[] };
}

/** Said in the JSON too, so a consumer of the numbers does not have to guess. */
const DEFINITIONS = {
  incidents:
    "Incidents opened in [from, to) (local midnight of the 1st in time_zone); an incident with several customers counts in each customer's rows and once in totals. severity is the incident's current severity.",
  mtta_seconds:
    'Opened to first acknowledged, over the incidents acknowledged so far (count); mean and p90 (percentile_cont), whole seconds.',
  mttr_seconds:
    'Opened to resolved (the last resolution), over the incidents resolved now (count); mean and p90 (percentile_cont), whole seconds.',
  targets:
    'Per SLA target, the clocks of these incidents (update: one clock per promised update). met: met at or before due_at. missed: breached, met after due_at, or past due_at and not met. pending: running and not yet due; not in the share. share = met / (met + missed), null when 0. Clocks cancelled before due_at (resolved before an owner was needed, severity without a policy) are not counted.',
} as const;

const SEVERITY_ORDER: readonly string[] = SEVERITIES;

function share(t: { met: number; missed: number; pending: number }): TargetShare {
  const due = t.met + t.missed;
  return { ...t, share: due === 0 ? null : Math.round((t.met / due) * 10_000) / 10_000 };
}

function stats(a: ReportAggregate): ReportStats {
  const targets = Object.fromEntries(SLA_TARGETS.map((k) => [k, share(a.targets[k])])) as Record<
    SlaTarget,
    TargetShare
  >;
  return { incidents: a.incidents, mtta_seconds: a.mtta, mttr_seconds: a.mttr, targets };
}

const EMPTY: ReportAggregate = {
  level: 'total',
  customer: null,
  severity: null,
  incidents: 0,
  mtta: { mean: null, p90: null, count: 0 },
  mttr: { mean: null, p90: null, count: 0 },
  targets: Object.fromEntries(
    SLA_TARGETS.map((k) => [k, { met: 0, missed: 0, pending: 0 }]),
  ) as ReportAggregate['targets'],
};

const severityRank = (s: string | null) => {
  const i = SEVERITY_ORDER.indexOf(s ?? '');
  return i < 0 ? SEVERITY_ORDER.length : i;
};

export interface ShapeInput {
  month: ReportMonth;
  timeZone: string;
  window: { from: Date; to: Date };
  now: Date;
  customer: string | null;
  /** Catalog id → display name; ids not in it keep a null name and appear as themselves. */
  customerNames: ReadonlyMap<string, string>;
  aggregates: readonly ReportAggregate[];
}

/** Names and orders the aggregates: customers by name (no-customer last), severities SEV1 first. */
export function shapeReport(input: ShapeInput): SlaReport {
  const name = (id: string | null) => (id === null ? null : (input.customerNames.get(id) ?? null));
  const customerKey = (id: string | null) =>
    id === null ? '\uffff' : (input.customerNames.get(id) ?? id).toLocaleLowerCase('en');
  const byCustomer = (a: { customer: string | null }, b: { customer: string | null }) =>
    customerKey(a.customer).localeCompare(customerKey(b.customer), 'en') ||
    (a.customer ?? '').localeCompare(b.customer ?? '', 'en');
  const of = (level: ReportAggregate['level']) => input.aggregates.filter((a) => a.level === level);

  const rows = of('row')
    .slice()
    .sort((a, b) => byCustomer(a, b) || severityRank(a.severity) - severityRank(b.severity))
    .map((a) => ({
      customer: a.customer,
      customer_name: name(a.customer),
      severity: a.severity ?? '',
      ...stats(a),
    }));
  const customers = of('customer')
    .slice()
    .sort(byCustomer)
    .map((a) => ({ customer: a.customer, customer_name: name(a.customer), ...stats(a) }));
  const total = of('total')[0] ?? EMPTY;
  const bySeverity = of('severity')
    .slice()
    .sort((a, b) => severityRank(a.severity) - severityRank(b.severity))
    .map((a) => ({ severity: a.severity ?? '', ...stats(a) }));

  return {
    month: formatMonth(input.month),
    time_zone: input.timeZone,
    from: input.window.from.toISOString(),
    to: input.window.to.toISOString(),
    generated_at: input.now.toISOString(),
    customer: input.customer,
    definitions: DEFINITIONS,
    rows,
    customers,
    totals: { ...stats(total), by_severity: bySeverity },
  };
}

const CSV_COLUMNS = [
  'month',
  'customer',
  'customer_name',
  'severity',
  'incidents',
  'mtta_mean_seconds',
  'mtta_p90_seconds',
  'mtta_count',
  'mttr_mean_seconds',
  'mttr_p90_seconds',
  'mttr_count',
  ...SLA_TARGETS.flatMap((t) => [`${t}_met`, `${t}_missed`, `${t}_pending`, `${t}_share`]),
] as const;

/**
 * One RFC 4180 field: quoted when it holds a comma, quote, CR or LF, quotes doubled. A text cell that a
 * spreadsheet would run as a formula (= + - @ tab CR first) gets a leading apostrophe: customer ids come
 * from alert labels.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Header line and one line per row (customer × severity); CRLF line ends, as RFC 4180 has them. */
export function reportToCsv(report: SlaReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of report.rows) {
    const cells: (string | number | null)[] = [
      report.month,
      r.customer,
      r.customer_name,
      r.severity,
      r.incidents,
      r.mtta_seconds.mean,
      r.mtta_seconds.p90,
      r.mtta_seconds.count,
      r.mttr_seconds.mean,
      r.mttr_seconds.p90,
      r.mttr_seconds.count,
      ...SLA_TARGETS.flatMap((t) => {
        const s = r.targets[t];
        return [s.met, s.missed, s.pending, s.share];
      }),
    ];
    lines.push(cells.map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
