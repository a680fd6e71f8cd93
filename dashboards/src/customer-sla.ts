import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { finish, labelVariable, newDashboard, section, stat, table, timeseries } from './panels.ts';

const CUSTOMER = 'customer=~"$customer"';
const TARGETS = ['acknowledge', 'owner', 'update', 'resolve'] as const;

/** Breaches of the $customer during the range, optionally of one target. */
const breaches = (extra = '') => `sum(increase(incidentd_sla_breaches_total{${CUSTOMER}${extra}}[$__range]))`;

/** Customer SLA: breaches per target and severity for one or more customers, and adherence. */
export function customerSla(): dashboard.Dashboard {
  const b = newDashboard({
    uid: 'incidentd-customer-sla',
    title: 'incidentd / Customer SLA',
    description:
      'SLA breaches per customer, target and severity. Exact per-customer MTTA, MTTR and met-target shares: GET /api/v1/reports/sla.',
    from: 'now-30d',
  }).withVariable(
    labelVariable('customer', 'Customer', 'label_values(incidentd_sla_breaches_total, customer)'),
  );

  section(b, '$customer over the selected range', [
    stat({
      title: 'SLA breaches',
      description: 'SLA targets breached for the selected customers during the range.',
      queries: [{ expr: breaches(), instant: true }],
      redFrom: 1,
    }),
    ...TARGETS.map((target) =>
      stat({
        title: `${target[0]!.toUpperCase()}${target.slice(1)} breaches`,
        description: `Incidents of the selected customers that missed the ${target} target during the range.`,
        queries: [{ expr: breaches(`, target="${target}"`), instant: true }],
        redFrom: 1,
      }),
    ),
    stat({
      title: 'Breach-free days',
      description:
        'Share of the days in the range on which the selected customers had no SLA breach (1 = no breach at all).',
      unit: 'percentunit',
      redBelow: 0.99,
      // Days are sampled at midnight UTC: a range shorter than a day may hold none.
      noValue: 'range < 1 day',
      queries: [
        {
          expr: `1 - sum_over_time((sum(increase(incidentd_sla_breaches_total{${CUSTOMER}}[1d])) > bool 0 or vector(0))[$__range:1d]) / count_over_time(vector(1)[$__range:1d])`,
          instant: true,
        },
      ],
    }),
  ]);

  section(b, 'Breaches', [
    timeseries({
      title: 'Breaches by target',
      description: 'SLA targets breached per interval for the selected customers.',
      bars: true,
      stack: true,
      min: 0,
      queries: [
        {
          expr: `sum by (target) (increase(incidentd_sla_breaches_total{${CUSTOMER}}[$__interval]))`,
          legend: '{{target}}',
        },
      ],
    }),
    timeseries({
      title: 'Breaches by severity',
      description: 'SLA targets breached per interval for the selected customers, by incident severity.',
      bars: true,
      stack: true,
      min: 0,
      queries: [
        {
          expr: `sum by (severity) (increase(incidentd_sla_breaches_total{${CUSTOMER}}[$__interval]))`,
          legend: '{{severity}}',
        },
      ],
    }),
    table({
      title: 'Breaches by customer, target and severity',
      description:
        'SLA breaches during the selected range. Customers not in the catalog are counted as "other".',
      w: 24,
      queries: [
        {
          expr: `sum by (customer, target, severity) (increase(incidentd_sla_breaches_total{${CUSTOMER}}[$__range])) > 0`,
        },
      ],
    }),
  ]);

  section(b, 'Adherence, all customers', [
    ...TARGETS.map((target) =>
      stat({
        title: `Within the ${target} target`,
        description: `Share of the incidents opened during the range that did not breach the ${target} target. Breaches count once per affected customer, so with multi-customer incidents this is a lower bound.`,
        unit: 'percentunit',
        w: 6,
        redBelow: 0.95,
        noValue: 'no incidents',
        queries: [
          {
            expr: `clamp_min(1 - (sum(increase(incidentd_sla_breaches_total{target="${target}"}[$__range])) or vector(0)) / sum(increase(incidentd_incidents_opened_total[$__range])), 0)`,
            instant: true,
          },
        ],
      }),
    ),
  ]);
  return finish(b);
}
