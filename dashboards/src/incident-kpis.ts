import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { finish, labelVariable, newDashboard, section, stat, timeseries } from './panels.ts';

const SEV = 'severity=~"$severity"';
const TTA = 'incidentd_incident_time_to_acknowledge_seconds';
const TTR = 'incidentd_incident_time_to_resolve_seconds';
const TTD = 'incidentd_incident_time_to_detect_seconds';

/** A quantile of an incident-duration histogram over a window, per `by` labels. */
const quantile = (q: number, metric: string, window: string, by = 'le') =>
  `histogram_quantile(${q}, sum by (${by}) (increase(${metric}_bucket{${SEV}}[${window}])))`;

const rangeQuantiles = (name: string, metric: string, what: string) =>
  [0.5, 0.9].map((q) =>
    stat({
      title: `${name} p${q * 100}`,
      description: `${what}: ${q * 100}th percentile over the selected range (from histogram buckets: an estimate within a bucket).`,
      unit: 's',
      noValue: 'no incidents',
      queries: [{ expr: quantile(q, metric, '$__range'), instant: true }],
    }),
  );

const trendQuantiles = (title: string, metric: string, what: string) =>
  timeseries({
    title,
    description: `${what}: p50 and p90 per severity over a rolling $window (incidents are rare: a short window is mostly empty).`,
    unit: 's',
    min: 0,
    queries: [
      { expr: quantile(0.5, metric, '$window', 'le, severity'), legend: 'p50 {{severity}}' },
      { expr: quantile(0.9, metric, '$window', 'le, severity'), legend: 'p90 {{severity}}' },
    ],
  });

/** Incident KPIs: how many incidents, how fast they are detected, acknowledged and resolved, SLA breaches. */
export function incidentKpis(): dashboard.Dashboard {
  const b = newDashboard({
    uid: 'incidentd-incident-kpis',
    title: 'incidentd / Incident KPIs',
    description:
      'Incidents opened and open, MTTA, MTTR, time to detect and SLA breaches, from incidentd metrics.',
    from: 'now-7d',
  })
    .withVariable(
      labelVariable('severity', 'Severity', 'label_values(incidentd_incidents_opened_total, severity)'),
    )
    .withVariable(
      new dashboard.IntervalVariableBuilder('window')
        .label('Rolling window')
        .values('1h,6h,1d,7d,30d')
        .current({ text: '1d', value: '1d' }),
    );

  section(b, 'Now, and over the selected range', [
    stat({
      title: 'Open incidents',
      description:
        'Incidents not resolved (open or acknowledged). Every replica reports the same store-derived gauge: max, not sum.',
      queries: [{ expr: `sum(max by (severity) (incidentd_incidents_open{${SEV}}))`, instant: true }],
    }),
    stat({
      title: 'Open SEV1',
      description: 'Unresolved SEV1 incidents.',
      queries: [{ expr: 'max(incidentd_incidents_open{severity="SEV1"})', instant: true }],
      redFrom: 1,
    }),
    stat({
      title: 'Customers affected',
      description: 'Distinct customers on unresolved incidents.',
      queries: [{ expr: 'max(incidentd_customers_affected)', instant: true }],
    }),
    stat({
      title: 'Public updates overdue',
      description: 'Published, unresolved incidents whose promised next public update is late.',
      queries: [{ expr: 'max(incidentd_updates_overdue)', instant: true }],
      redFrom: 1,
    }),
    stat({
      title: 'Incidents opened',
      description: 'Incidents opened during the selected range.',
      queries: [{ expr: `sum(increase(incidentd_incidents_opened_total{${SEV}}[$__range]))`, instant: true }],
    }),
    stat({
      title: 'SLA breaches',
      description: 'SLA targets breached during the selected range, all customers and targets.',
      queries: [{ expr: `sum(increase(incidentd_sla_breaches_total{${SEV}}[$__range]))`, instant: true }],
      redFrom: 1,
    }),
  ]);

  section(b, 'Response times over the selected range', [
    ...rangeQuantiles('MTTA', TTA, 'Time from incident opened to acknowledged'),
    ...rangeQuantiles('MTTR', TTR, 'Time from incident opened to resolved'),
    ...rangeQuantiles('Time to detect', TTD, "Time from the first alert's start to the incident opening"),
  ]);

  section(b, 'Trends', [
    timeseries({
      title: 'Incidents opened by severity',
      description: 'Incidents opened per interval, by severity at opening.',
      bars: true,
      stack: true,
      min: 0,
      queries: [
        {
          expr: `sum by (severity) (increase(incidentd_incidents_opened_total{${SEV}}[$__interval]))`,
          legend: '{{severity}}',
        },
      ],
    }),
    timeseries({
      title: 'Open incidents by severity',
      description: 'Unresolved incidents (open or acknowledged) by current severity.',
      stack: true,
      min: 0,
      queries: [{ expr: `max by (severity) (incidentd_incidents_open{${SEV}})`, legend: '{{severity}}' }],
    }),
    trendQuantiles('MTTA (time to acknowledge)', TTA, 'Time from incident opened to acknowledged'),
    trendQuantiles('MTTR (time to resolve)', TTR, 'Time from incident opened to resolved'),
    trendQuantiles('Time to detect', TTD, "Time from the first alert's start to the incident opening"),
    timeseries({
      title: 'SLA breaches by target',
      description: 'SLA targets breached per interval: acknowledge, owner, update, resolve.',
      bars: true,
      stack: true,
      min: 0,
      queries: [
        {
          expr: `sum by (target) (increase(incidentd_sla_breaches_total{${SEV}}[$__interval]))`,
          legend: '{{target}}',
        },
      ],
    }),
    timeseries({
      title: 'Customers affected and updates overdue',
      description:
        'Distinct customers on unresolved incidents; published incidents whose next public update is late.',
      min: 0,
      w: 24,
      queries: [
        { expr: 'max(incidentd_customers_affected)', legend: 'customers affected' },
        { expr: 'max(incidentd_updates_overdue)', legend: 'updates overdue' },
      ],
    }),
  ]);
  return finish(b);
}
