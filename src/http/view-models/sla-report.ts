import { formatDuration } from '../../core/duration.ts';
import { SLA_TARGETS, type SlaTarget } from '../../core/sla.ts';
import {
  addMonths,
  type DurationStats,
  formatMonth,
  type ReportMonth,
  type ReportStats,
  type SlaReport,
  type TargetShare,
} from '../../core/sla-report.ts';
import { cachedFormat } from './format.ts';
import type { InternalLayoutVM } from './internal-layout.ts';

/** What views/internal/reports.eta renders: plain strings and numbers, the SVG geometry worked out here. */

export interface BarVM {
  label: string;
  /** Row top, label baseline, value text baseline. */
  y: number;
  textY: number;
  metWidth: number;
  missedX: number;
  missedWidth: number;
  valueText: string;
  /** No clock came due: only the empty track. */
  noData: boolean;
}

export interface ChartVM {
  titleId: string;
  descId: string;
  title: string;
  /** Every value in words, for screen readers (the text beside the bars says the same). */
  desc: string;
  width: number;
  height: number;
  labelWidth: number;
  barX: number;
  barWidth: number;
  barHeight: number;
  valueX: number;
  bars: BarVM[];
}

export interface StatsVM {
  incidents: number;
  mtta: { mean: string; p90: string; count: number };
  mttr: { mean: string; p90: string; count: number };
  targets: { target: SlaTarget; label: string; text: string; detail: string }[];
}

export interface SeverityRowVM extends StatsVM {
  severity: string;
}

export interface CustomerSectionVM {
  anchor: string;
  heading: string;
  /** `acme` under the name, or a note that the id is not in the catalog. */
  subheading: string;
  stats: StatsVM;
  chart: ChartVM;
  rows: SeverityRowVM[];
}

export interface SlaReportPageVM extends InternalLayoutVM {
  month: string;
  monthLabel: string;
  timeZone: string;
  rangeText: string;
  generatedText: string;
  previous: { href: string; label: string };
  next: { href: string; label: string };
  customerFilter: string;
  customerOptions: { id: string; name: string; selected: boolean }[];
  csvHref: string;
  apiHref: string;
  /** A message for a bad query (the page then shows no figures). */
  error: string | null;
  definitions: { term: string; text: string }[];
  summary: (StatsVM & { chart: ChartVM }) | null;
  customers: CustomerSectionVM[];
}

export const TARGET_LABELS: Record<SlaTarget, string> = {
  acknowledge: 'Acknowledge',
  owner: 'Owner',
  update: 'Update',
  resolve: 'Resolve',
};

const monthName = (m: ReportMonth) =>
  cachedFormat('month', 'UTC', { month: 'long', year: 'numeric' }).format(
    new Date(Date.UTC(m.year, m.month - 1, 15)),
  );

function localTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

/** `6m 30s`; an em dash when there is nothing to average. */
export function durationText(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds === 0) return '0s';
  return formatDuration(seconds * 1000).replace(/([dhms])(?=\d)/g, '$1 ');
}

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

function shareText(s: TargetShare): { text: string; detail: string } {
  const due = s.met + s.missed;
  const pending = s.pending ? `, ${s.pending} pending` : '';
  if (s.share === null) return { text: 'no clocks due', detail: s.pending ? `${s.pending} pending` : '' };
  return { text: percent(s.share), detail: `${s.met} of ${due} met${pending}` };
}

const durationStats = (d: DurationStats) => ({
  mean: durationText(d.mean),
  p90: durationText(d.p90),
  count: d.count,
});

function stats(s: ReportStats): StatsVM {
  return {
    incidents: s.incidents,
    mtta: durationStats(s.mtta_seconds),
    mttr: durationStats(s.mttr_seconds),
    targets: SLA_TARGETS.map((t) => ({ target: t, label: TARGET_LABELS[t], ...shareText(s.targets[t]) })),
  };
}

const CHART = {
  labelWidth: 96,
  barWidth: 300,
  barHeight: 18,
  rowHeight: 30,
  valueGap: 10,
  valueWidth: 210,
  top: 8,
};

/** Horizontal bars of the share met per target: met in green, missed in red, the rest of the track empty. */
function chartView(id: string, title: string, s: ReportStats): ChartVM {
  const bars = SLA_TARGETS.map((t, i) => {
    const share = s.targets[t];
    const y = CHART.top + i * CHART.rowHeight;
    const { text, detail } = shareText(share);
    const metWidth = share.share === null ? 0 : Math.round(share.share * CHART.barWidth * 10) / 10;
    return {
      label: TARGET_LABELS[t],
      y,
      textY: y + CHART.barHeight / 2 + 5,
      metWidth,
      missedX: CHART.labelWidth + metWidth,
      missedWidth: share.share === null ? 0 : Math.round((CHART.barWidth - metWidth) * 10) / 10,
      valueText: detail ? `${text} (${detail})` : text,
      noData: share.share === null,
    };
  });
  return {
    titleId: `${id}-title`,
    descId: `${id}-desc`,
    title,
    desc: bars.map((b) => `${b.label}: ${b.valueText}.`).join(' '),
    width: CHART.labelWidth + CHART.barWidth + CHART.valueGap + CHART.valueWidth,
    height: CHART.top * 2 + SLA_TARGETS.length * CHART.rowHeight - (CHART.rowHeight - CHART.barHeight),
    labelWidth: CHART.labelWidth,
    barX: CHART.labelWidth,
    barWidth: CHART.barWidth,
    barHeight: CHART.barHeight,
    valueX: CHART.labelWidth + CHART.barWidth + CHART.valueGap,
    bars,
  };
}

const query = (month: string, customer: string | null) =>
  `?month=${encodeURIComponent(month)}${customer ? `&customer=${encodeURIComponent(customer)}` : ''}`;

/** The catalog's customers, plus a filtered id outside it so the form shows what is selected. */
function customerOptions(catalog: readonly { id: string; name: string }[], selected: string | null) {
  const options = catalog.map((c) => ({ id: c.id, name: c.name, selected: c.id === selected }));
  if (selected !== null && !catalog.some((c) => c.id === selected)) {
    options.push({ id: selected, name: `${selected} (not in the catalog)`, selected: true });
  }
  return options;
}

export interface ReportPageInput {
  layout: InternalLayoutVM;
  month: ReportMonth;
  customer: string | null;
  catalogCustomers: readonly { id: string; name: string }[];
  timeZone: string;
  report: SlaReport | null;
  error: string | null;
}

export function slaReportPageView(input: ReportPageInput): SlaReportPageVM {
  const { report, customer, timeZone } = input;
  const month = formatMonth(input.month);
  const previous = addMonths(input.month, -1);
  const next = addMonths(input.month, 1);
  const customers: CustomerSectionVM[] = (report?.customers ?? []).map((c, i) => {
    const heading = c.customer === null ? 'No customer' : (c.customer_name ?? c.customer);
    const subheading =
      c.customer === null
        ? 'Incidents that named no customer'
        : c.customer_name === null
          ? `${c.customer} · not in the catalog`
          : c.customer;
    const rows = report!.rows
      .filter((r) => r.customer === c.customer)
      .map((r) => ({ severity: r.severity, ...stats(r) }));
    return {
      anchor: `customer-${i + 1}`,
      heading,
      subheading,
      stats: stats(c),
      chart: chartView(`chart-${i + 1}`, `${heading}: share of SLA clocks met, ${monthName(input.month)}`, c),
      rows,
    };
  });
  return {
    ...input.layout,
    month,
    monthLabel: monthName(input.month),
    timeZone,
    rangeText: report
      ? `Incidents opened from ${localTime(report.from, timeZone)} to ${localTime(report.to, timeZone)} (${timeZone})`
      : '',
    generatedText: report ? `Figures as of ${localTime(report.generated_at, timeZone)}` : '',
    previous: {
      href: `/internal/reports${query(formatMonth(previous), customer)}`,
      label: monthName(previous),
    },
    next: { href: `/internal/reports${query(formatMonth(next), customer)}`, label: monthName(next) },
    customerFilter: customer ?? '',
    customerOptions: customerOptions(input.catalogCustomers, customer),
    csvHref: `/internal/reports/sla.csv${query(month, customer)}`,
    apiHref: `/api/v1/reports/sla${query(month, customer)}`,
    error: input.error,
    definitions: report
      ? [
          { term: 'Incidents', text: report.definitions.incidents },
          { term: 'MTTA', text: report.definitions.mtta_seconds },
          { term: 'MTTR', text: report.definitions.mttr_seconds },
          { term: 'SLA targets', text: report.definitions.targets },
        ]
      : [],
    summary: report
      ? {
          ...stats(report.totals),
          chart: chartView(
            'chart-all',
            `All incidents: share of SLA clocks met, ${monthName(input.month)}`,
            report.totals,
          ),
        }
      : null,
    customers,
  };
}
