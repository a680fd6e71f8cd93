import { describe, expect, it } from 'vitest';
import { RECEIVED_AT } from '../fixtures.test-support.ts';
import { parsePrometheus } from './prometheus-source.ts';

function ok(body: unknown) {
  const result = parsePrometheus(body, RECEIVED_AT);
  if (!result.ok) throw new Error(result.error);
  return result.alerts;
}

function error(body: unknown): string {
  const result = parsePrometheus(body, RECEIVED_AT);
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

// What Prometheus 2.42 posts (notifier.Alert): labels, annotations, startsAt, endsAt = now + 4 × interval, generatorURL.
const sent = {
  labels: {
    alertname: 'HighCPU',
    cluster: 'prod',
    instance: 'web-1:9100',
    job: 'node',
    severity: 'critical',
  },
  annotations: { summary: 'CPU above 90% on web-1' },
  startsAt: '2026-11-23T03:59:00.123456789Z',
  endsAt: '2026-11-23T04:04:00Z',
  generatorURL: 'http://prometheus:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1',
};

describe('prometheus postable alerts', () => {
  it('maps a firing alert: Alertmanager fingerprint, future endsAt as the expiry', () => {
    const [a] = ok([sent]);
    expect(a).toMatchObject({
      source: 'prometheus',
      fingerprint: '6080603cf6611c55',
      status: 'firing',
      title: 'CPU above 90% on web-1',
      labels: sent.labels,
      annotations: sent.annotations,
      startsAt: new Date('2026-11-23T03:59:00.123Z'),
      endsAt: null,
      expiresAt: new Date('2026-11-23T04:04:00Z'),
      generatorUrl: sent.generatorURL,
    });
  });

  it('an endsAt at or before the receive time resolves; none means no expiry of its own', () => {
    const [resolved, atNow, open] = ok([
      { ...sent, endsAt: '2026-11-23T03:59:30Z' },
      { ...sent, labels: { alertname: 'B' }, endsAt: RECEIVED_AT.toISOString() },
      { labels: { alertname: 'C' } },
    ]);
    expect(resolved).toMatchObject({
      status: 'resolved',
      endsAt: new Date('2026-11-23T03:59:30Z'),
      expiresAt: null,
    });
    expect(atNow).toMatchObject({ status: 'resolved', endsAt: RECEIVED_AT });
    expect(open).toMatchObject({ status: 'firing', startsAt: RECEIVED_AT, expiresAt: null, title: 'C' });
  });

  it('ignores a fingerprint or status in the body: identity is the labels', () => {
    const [a] = ok([{ ...sent, fingerprint: 'ffffffffffffffff', status: 'resolved' }]);
    expect(a).toMatchObject({ fingerprint: '6080603cf6611c55', status: 'firing' });
  });

  it('keeps the sent entry as raw', () => {
    const body = [sent];
    expect(ok(body)[0]?.raw).toBe(sent);
  });

  it.each([
    ['an object', { alerts: [] }, 'body: expected a JSON array of alerts'],
    ['null', null, 'body: expected a JSON array of alerts'],
    ['an entry not an object', [sent, 3], 'alerts[1]: expected object'],
    ['labels missing', [{ annotations: {} }], 'alerts[0].labels: expected object'],
    ['a label value an object', [{ labels: { a: {} } }], 'alerts[0].labels.a: expected string'],
    ['bad startsAt', [{ labels: {}, startsAt: 'now' }], 'alerts[0].startsAt: expected an RFC 3339 date'],
    [
      'bad endsAt',
      [{ labels: {}, endsAt: '2026-13-01T00:00:00Z' }],
      'alerts[0].endsAt: expected an RFC 3339 date',
    ],
  ])('refuses %s naming the field', (_what, body, message) => {
    expect(error(body)).toBe(message);
  });

  it('accepts the empty list', () => {
    expect(ok([])).toEqual([]);
  });
});
