import { describe, expect, it } from 'vitest';
import { fixtureNames, RECEIVED_AT, readFixture } from '../fixtures.test-support.ts';
import { parseGrafana } from './grafana-source.ts';

function ok(body: unknown) {
  const result = parseGrafana(body, RECEIVED_AT);
  if (!result.ok) throw new Error(result.error);
  return result;
}

function error(body: unknown): string {
  const result = parseGrafana(body, RECEIVED_AT);
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

const EXPECTED: Record<string, string[]> = {
  'grafana-docs-example-2-firing.json': ['firing', 'firing'],
  'oncall-grafana-alerting-example-3-alerts.json': ['firing', 'firing', 'firing'],
  'zulip-alert-9-mixed-2-resolved-1-firing.json': ['resolved', 'resolved', 'firing'],
  'zulip-alert-values-v11-imageURL.json': ['firing'],
};

describe('grafana fixtures', () => {
  it('covers every fixture file', () => {
    expect(fixtureNames('grafana')).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', (name, statuses) => {
    const body = readFixture('grafana', name) as { alerts: { fingerprint: string }[] };
    const result = ok(body);
    expect(result.alerts.map((a) => a.status)).toEqual(statuses);
    result.alerts.forEach((alert, i) => {
      expect(alert.source).toBe('grafana');
      expect(alert.fingerprint).toBe(body.alerts[i]?.fingerprint);
      expect(alert.raw).toBe(body.alerts[i]);
    });
  });

  it('keeps values, valueString and URLs as annotations, not labels', () => {
    const [alert] = ok(readFixture('grafana', 'zulip-alert-values-v11-imageURL.json')).alerts;
    expect(alert?.labels).toEqual({ alertname: 'Memory (copy)', debug: 'true', grafana_folder: 'device' });
    expect(alert?.annotations).toMatchObject({
      summary: 'High memory usage',
      values: '{"A":2473545728,"B":0,"C":1,"minute":9}',
      imageURL: 'https://grafana.com/assets/img/blog/mixed_styles.png',
      panelURL: 'https://play.grafana.org/d/ece9fb32-7f71-4be9-bd94-2f23608ae5b9?orgId=1&viewPanel=2',
    });
    expect(alert?.annotations.valueString).toContain("var='A'");
    expect(alert?.title).toBe('High memory usage');
    expect(alert?.startsAt).toEqual(new Date('2024-03-01T02:09:00Z'));
  });

  it('reads local offsets', () => {
    const [alert] = ok(readFixture('grafana', 'grafana-docs-example-2-firing.json')).alerts;
    expect(alert?.startsAt).toEqual(new Date('2021-10-12T07:51:03.157Z'));
    expect(alert?.endsAt).toBeNull();
  });
});

describe('grafana unified variants', () => {
  const base = { receiver: 'x', status: 'firing', version: '1', orgId: 1, title: '[FIRING:1] Body title' };

  it('accepts values null / absent / map and ruleUID', () => {
    const result = ok({
      ...base,
      alerts: [
        { status: 'firing', labels: { alertname: 'A' }, values: null, fingerprint: 'a' },
        { status: 'firing', labels: { alertname: 'B' }, fingerprint: 'b', ruleUID: 'uid-1', orgId: 2 },
      ],
    });
    expect(result.alerts.map((a) => a.annotations.values)).toEqual([undefined, undefined]);
    expect(result.alerts[1]?.annotations).toMatchObject({ ruleUID: 'uid-1', orgId: '2' });
  });

  it('falls back to the body title when no summary or alertname', () => {
    const [alert] = ok({ ...base, alerts: [{ status: 'firing', labels: { team: 'x' } }] }).alerts;
    expect(alert?.title).toBe('[FIRING:1] Body title');
  });

  it('marks test notifications with test="true"', () => {
    const [alert] = ok({
      ...base,
      groupKey: 'test-57c6d9296de2ad39-1700000000',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'TestAlert', instance: 'Grafana' },
          annotations: { summary: 'Notification test' },
          startsAt: '2024-01-01T00:00:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          fingerprint: '57c6d9296de2ad39',
          values: null,
        },
      ],
    }).alerts;
    expect(alert?.labels).toEqual({ alertname: 'TestAlert', instance: 'Grafana', test: 'true' });
    expect(alert?.fingerprint).toBe('57c6d9296de2ad39');
  });

  it('errors name the field', () => {
    expect(error('x')).toBe('body: expected a JSON object');
    expect(error({ version: '1' })).toBe('alerts: expected array');
    expect(error({ alerts: [{}, {}, {}, { labels: 'x' }] })).toBe('alerts[3].labels: expected object');
    expect(error({ alerts: [{ startsAt: 'soon' }] })).toBe('alerts[0].startsAt: expected an RFC 3339 date');
  });
});

describe('grafana legacy alerting', () => {
  const legacy = {
    dashboardId: 1,
    evalMatches: [{ value: 100, metric: 'High value', tags: null }],
    imageUrl: 'https://grafana.example.com/render/x.png',
    message: 'CPU is high',
    orgId: 1,
    panelId: 2,
    ruleId: 7,
    ruleName: 'CPU high',
    ruleUrl: 'http://grafana.example.com/d/abc?panelId=2',
    state: 'alerting',
    tags: { team: 'db' },
    title: '[Alerting] CPU high',
  };

  it('maps to one alert', () => {
    const result = ok(legacy);
    expect(result.alerts).toHaveLength(1);
    expect(result.alerts[0]).toMatchObject({
      source: 'grafana',
      fingerprint: 'legacy-1-7',
      status: 'firing',
      title: 'CPU high',
      labels: { team: 'db', alertname: 'CPU high' },
      startsAt: RECEIVED_AT,
      endsAt: null,
      generatorUrl: 'http://grafana.example.com/d/abc?panelId=2',
      raw: legacy,
    });
    expect(result.alerts[0]?.annotations.description).toBe('CPU is high');
  });

  it.each([
    ['alerting', 'firing'],
    ['no_data', 'firing'],
    ['pending', 'firing'],
    ['ok', 'resolved'],
    ['paused', 'resolved'],
  ])('state %s → %s, same fingerprint', (state, status) => {
    const [alert] = ok({ ...legacy, state }).alerts;
    expect(alert?.status).toBe(status);
    expect(alert?.fingerprint).toBe('legacy-1-7');
    expect(alert?.endsAt).toEqual(status === 'resolved' ? RECEIVED_AT : null);
  });

  it('marks the legacy test notification', () => {
    const [alert] = ok({
      evalMatches: [{ value: 100, metric: 'High value', tags: null }],
      message: 'Someone is testing the alert notification within Grafana.',
      ruleId: 0,
      ruleName: 'Test notification',
      ruleUrl: 'http://localhost:3000/',
      state: 'alerting',
      title: '[Alerting] Test notification',
    }).alerts;
    expect(alert?.labels.test).toBe('true');
    expect(alert?.fingerprint).toBe('legacy-0-0');
  });

  it('rejects an unknown state, naming it', () => {
    expect(error({ ...legacy, state: 'exploded' })).toMatch(/^state: expected one of "alerting"/);
  });
});
