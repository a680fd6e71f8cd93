import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NormalizedAlert } from '../alert.ts';
import { loadRuleSet } from './load.ts';
import { groupKeyOf, matchAlert } from './match.ts';

function rules(text: string) {
  const r = loadRuleSet([{ path: 'r.yaml', text }], { componentIds: new Set(['api', 'database']) });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.rules;
}

function alert(labels: Record<string, string>, extra: Partial<NormalizedAlert> = {}): NormalizedAlert {
  return {
    source: 'alertmanager',
    fingerprint: 'fp',
    status: 'firing',
    labels,
    annotations: {},
    title: labels.alertname ?? '',
    startsAt: new Date(0),
    endsAt: null,
    generatorUrl: null,
    raw: null,
    ...extra,
  };
}

const set = rules(`rules:
  - name: db-critical
    match: 'labels.service == "postgres" && labels.severity == "critical"'
    group_by: [region, cluster]
  - name: db-any
    match: 'labels.service == "postgres"'
    group_by: [region]
    customer_label: tenant
  - name: from-grafana
    match: 'source == "grafana" && status == "firing" && annotations.?summary.orValue("") != ""'
`);

describe('matchAlert', () => {
  it('first matching rule wins, in file order', () => {
    expect(
      matchAlert(set, alert({ service: 'postgres', severity: 'critical', region: 'eu', cluster: 'a' }))?.rule
        .name,
    ).toBe('db-critical');
    expect(
      matchAlert(set, alert({ service: 'postgres', severity: 'warning', region: 'eu' }))?.rule.name,
    ).toBe('db-any');
  });

  it('a missing group_by label counts as the empty string', () => {
    const m = matchAlert(set, alert({ service: 'postgres', severity: 'critical', cluster: 'a,b=c' }))!;
    expect(m.groupLabels).toEqual({ region: '', cluster: 'a,b=c' });
    expect(m.groupKey).toBe('region=,cluster=a%2Cb%3Dc');
  });

  it('reads the customer from customer_label, null when absent or empty', () => {
    expect(matchAlert(set, alert({ service: 'postgres', region: 'eu', tenant: 'acme' }))?.customer).toBe(
      'acme',
    );
    expect(
      matchAlert(set, alert({ service: 'postgres', region: 'eu', customer: 'acme' }))?.customer,
    ).toBeNull();
    expect(matchAlert(set, alert({ service: 'postgres', region: 'eu', tenant: '' }))?.customer).toBeNull();
  });

  it('sees source, status and annotations; an expression failing on a missing label does not match', () => {
    expect(matchAlert(set, alert({}, { source: 'grafana', annotations: { summary: 'x' } }))?.rule.name).toBe(
      'from-grafana',
    );
    expect(
      matchAlert(set, alert({}, { source: 'grafana', status: 'resolved', annotations: { summary: 'x' } })),
    ).toBeNull();
    expect(matchAlert(set, alert({ alertname: 'NoService' }))).toBeNull();
  });

  it('group keys are equal exactly when the group label values are equal', () => {
    const rule = set.rules[0]!;
    const labels = fc.record({ region: fc.string(), cluster: fc.string() });
    fc.assert(
      fc.property(labels, labels, (a, b) => {
        const same = a.region === b.region && a.cluster === b.cluster;
        expect(groupKeyOf(rule, a) === groupKeyOf(rule, b)).toBe(same);
      }),
    );
  });

  it('a rule whose match runs out of its evaluation budget does not match, the next one may, the caller hears', () => {
    const budget = rules(`rules:
  - name: nested
    match: 'labels.all(a, labels.all(b, labels[a] != "" || labels[b] == ""))'
  - name: fallback
    match: 'has(labels.alertname)'
`);
    const wide = Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`l${i}`, 'v']));
    const exceeded: string[] = [];
    const m = matchAlert(budget, alert({ alertname: 'Wide', ...wide }), (rule) => exceeded.push(rule.name));
    expect(m?.rule.name).toBe('fallback');
    expect(exceeded).toEqual(['nested']);
    expect(
      matchAlert(budget, alert({ alertname: 'Narrow', a: 'x' }), (rule) => exceeded.push(rule.name))?.rule
        .name,
    ).toBe('nested');
    expect(exceeded).toEqual(['nested']);
  });
});
