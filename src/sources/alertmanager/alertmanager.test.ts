import { describe, expect, it } from 'vitest';
import { fixtureNames, RECEIVED_AT, readFixture } from '../fixtures.test-support.ts';
import { parseAlertmanager } from './alertmanager-source.ts';
import { alertmanagerFingerprint } from './fingerprint.ts';
import { parseRfc3339 } from './rfc3339.ts';

function ok(body: unknown) {
  const result = parseAlertmanager(body, RECEIVED_AT);
  if (!result.ok) throw new Error(result.error);
  return result;
}

function error(body: unknown): string {
  const result = parseAlertmanager(body, RECEIVED_AT);
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

const EXPECTED: Record<string, string[]> = {
  'alertmanager-0.25-01-firing-single-basic-auth.json': ['firing'],
  'alertmanager-0.25-04-resolved-single.json': ['resolved'],
  'alertmanager-0.25-05-mixed-2-resolved-3-firing.json': [
    'resolved',
    'resolved',
    'firing',
    'firing',
    'firing',
  ],
  'oncall-alertmanager-example-2-alerts.json': ['firing', 'firing'],
};

describe('alertmanager fixtures', () => {
  it('covers every fixture file', () => {
    expect(fixtureNames('alertmanager')).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', (name, statuses) => {
    const body = readFixture('alertmanager', name) as { alerts: { fingerprint: string }[] };
    const result = ok(body);
    expect(result.alerts.map((a) => a.status)).toEqual(statuses);
    expect(result.truncatedAlerts).toBe(0);
    result.alerts.forEach((alert, i) => {
      expect(alert.source).toBe('alertmanager');
      expect(alert.fingerprint).toBe(body.alerts[i]?.fingerprint);
      expect(alert.raw).toBe(body.alerts[i]);
      expect(alert.endsAt === null).toBe(alert.status === 'firing');
    });
  });

  it('maps a firing alert', () => {
    const [alert] = ok(
      readFixture('alertmanager', 'alertmanager-0.25-01-firing-single-basic-auth.json'),
    ).alerts;
    expect(alert).toMatchObject({
      fingerprint: '6080603cf6611c55',
      status: 'firing',
      title: 'CPU usage above 90% on web-1',
      startsAt: new Date('2026-11-23T02:59:19Z'),
      endsAt: null,
      generatorUrl: 'http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1',
      labels: { alertname: 'HighCPU', instance: 'web-1:9100', severity: 'critical' },
    });
  });

  it('maps a resolved alert with its end, empty generatorURL to null, alertname as title fallback', () => {
    const result = ok(readFixture('alertmanager', 'alertmanager-0.25-05-mixed-2-resolved-3-firing.json'));
    expect(result.alerts[0]?.endsAt).toEqual(new Date('2026-11-23T03:08:19Z'));
    expect(result.alerts[3]?.title).toBe('DiskFull');
    expect(result.alerts[3]?.generatorUrl).toBeNull();
    expect(result.alerts[4]?.startsAt).toEqual(new Date('2026-11-23T03:09:24.920Z'));
  });
});

describe('alertmanager mapping', () => {
  const alert = { status: 'firing', labels: { alertname: 'A', job: 'x' }, annotations: {} };

  it('merges group and common labels under the alert labels (alert wins)', () => {
    const [a] = ok({
      alerts: [alert],
      groupLabels: { alertname: 'A', team: 'db' },
      commonLabels: { job: 'common', region: 'eu' },
    }).alerts;
    expect(a?.labels).toEqual({ alertname: 'A', team: 'db', job: 'x', region: 'eu' });
  });

  it('passes truncatedAlerts through, missing is 0', () => {
    expect(ok({ alerts: [], truncatedAlerts: 7 }).truncatedAlerts).toBe(7);
    expect(ok({ alerts: [] }).truncatedAlerts).toBe(0);
  });

  it('computes the fingerprint when missing', () => {
    const [a] = ok({
      alerts: [
        {
          labels: {
            alertname: 'HighCPU',
            cluster: 'prod',
            instance: 'web-1:9100',
            job: 'node',
            severity: 'critical',
          },
        },
      ],
    }).alerts;
    expect(a?.fingerprint).toBe('6080603cf6611c55');
  });

  it('defaults: missing status from endsAt, missing startsAt = receive time', () => {
    const [firing, resolved] = ok({
      alerts: [{ labels: { a: '1' } }, { labels: { a: '2' }, endsAt: '2026-11-23T03:00:00Z' }],
    }).alerts;
    expect(firing?.status).toBe('firing');
    expect(firing?.startsAt).toEqual(RECEIVED_AT);
    expect(resolved?.status).toBe('resolved');
    expect(resolved?.endsAt).toEqual(new Date('2026-11-23T03:00:00Z'));
  });

  it('accepts extra keys and other versions (0.32 notification_reason, routeLabels)', () => {
    const result = ok({
      version: '4',
      notification_reason: 'first notification',
      routeLabels: {},
      alerts: [alert],
    });
    expect(result.alerts).toHaveLength(1);
  });
});

describe('alertmanager errors name the field', () => {
  it.each([
    ['not an object', 'nope', 'body: expected a JSON object'],
    ['an array', [], 'body: expected a JSON object'],
    ['null', null, 'body: expected a JSON object'],
    ['alerts missing', {}, 'alerts: expected array'],
    ['alerts not an array', { alerts: {} }, 'alerts: expected array'],
    ['an entry not an object', { alerts: [{}, 3] }, 'alerts[1]: expected object'],
    ['labels a string', { alerts: [{}, {}, {}, { labels: 'x' }] }, 'alerts[3].labels: expected object'],
    ['a label value an object', { alerts: [{ labels: { a: {} } }] }, 'alerts[0].labels.a: expected string'],
    [
      'bad startsAt',
      { alerts: [{ startsAt: 'yesterday' }] },
      'alerts[0].startsAt: expected an RFC 3339 date',
    ],
    [
      'bad endsAt',
      { alerts: [{ endsAt: '2026-13-01T00:00:00Z' }] },
      'alerts[0].endsAt: expected an RFC 3339 date',
    ],
    [
      'bad status',
      { alerts: [{ status: 'pending' }] },
      'alerts[0].status: expected one of "firing", "resolved"',
    ],
  ])('%s', (_what, body, message) => {
    expect(error(body)).toBe(message);
  });
});

describe('alertmanagerFingerprint', () => {
  it('matches the documented test vector', () => {
    expect(
      alertmanagerFingerprint({
        severity: 'critical',
        job: 'node',
        instance: 'web-1:9100',
        cluster: 'prod',
        alertname: 'HighCPU',
      }),
    ).toBe('6080603cf6611c55');
  });

  it('matches every captured fingerprint', () => {
    for (const name of fixtureNames('alertmanager')) {
      const body = readFixture('alertmanager', name) as {
        alerts: { labels: Record<string, string>; fingerprint: string }[];
      };
      for (const a of body.alerts) expect(alertmanagerFingerprint(a.labels)).toBe(a.fingerprint);
    }
  });

  it('hashes the empty label set to the FNV offset basis', () => {
    expect(alertmanagerFingerprint({})).toBe('cbf29ce484222325');
  });
});

describe('parseRfc3339', () => {
  it('parses Go time encodings', () => {
    expect(parseRfc3339('2026-11-23T03:06:19.759136054Z')).toEqual({
      kind: 'time',
      date: new Date('2026-11-23T03:06:19.759Z'),
    });
    expect(parseRfc3339('2021-10-12T09:51:03.157076+02:00')).toEqual({
      kind: 'time',
      date: new Date('2021-10-12T07:51:03.157Z'),
    });
    expect(parseRfc3339('0001-01-01T00:00:00Z')).toEqual({ kind: 'zero' });
  });

  it('rejects non-dates', () => {
    for (const bad of ['', 'now', '2026-02-31T00:00:00Z', '2026-11-23 03:06', '2026-11-23T03:06:19']) {
      expect(parseRfc3339(bad)).toBeUndefined();
    }
  });
});
