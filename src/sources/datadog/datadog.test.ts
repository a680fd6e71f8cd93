// Over 300 lines: the fingerprint, state, tags and date cases of the Datadog sender, over real captured bodies.
import { describe, expect, it } from 'vitest';
import type { NormalizedAlert } from '../../core/alert.ts';
import { fixtureNames, RECEIVED_AT, readFixture } from '../fixtures.test-support.ts';
import { parseDatadog } from './datadog-source.ts';

function one(body: unknown): NormalizedAlert {
  const result = parseDatadog(body, RECEIVED_AT);
  if (!result.ok) throw new Error(result.error);
  expect(result.alerts).toHaveLength(1);
  return result.alerts[0]!;
}

const EXPECTED: Record<string, 'firing' | 'resolved'> = {
  'keep-raw-01-recovered-log-alert.json': 'resolved',
  'keep-raw-05-triggered-log-alert.json': 'firing',
  'keep-raw-07-triggered-tag-value-with-colons.json': 'firing',
  'keep-raw-11-warn-P2.json': 'firing',
  'keep-raw-24-recovered-P2.json': 'resolved',
  'keep-raw-28-triggered-P2.json': 'firing',
};

type KeepEvent = Record<string, string> & { monitor_id: string; scopes: string; alert_transition: string };
const SEQUENCE = readFixture('datadog', 'keep-raw-sequence-43-events.json') as KeepEvent[];

describe('datadog fixtures', () => {
  it('covers every fixture file', () => {
    expect(fixtureNames('datadog')).toEqual(
      [...Object.keys(EXPECTED), 'keep-raw-sequence-43-events.json'].sort(),
    );
  });

  it.each(Object.entries(EXPECTED))('%s', (name, status) => {
    expect(one(readFixture('datadog', name)).status).toBe(status);
  });

  it('maps the Keep template: tags split on the first colon, monitor id, priority, date in ms', () => {
    const alert = one(readFixture('datadog', 'keep-raw-07-triggered-tag-value-with-colons.json'));
    expect(alert.labels).toEqual({
      database_id: 'keephq-sandbox:keep',
      monitor: '',
      monitor_id: '160077064',
    });
    expect(alert.title).toBe('Somethine weird in DB');
    expect(alert.startsAt).toEqual(new Date(1733930135000));
    expect(alert.endsAt).toBeNull();
    expect(alert.annotations.event_id).toBe('7879709234193994156');
    const warn = one(readFixture('datadog', 'keep-raw-11-warn-P2.json'));
    expect(warn.labels).toMatchObject({ priority: 'P2', environment: 'production', service: 'keep-api' });
    expect(warn.title).toBe('Unauthorized access to API keep-api');
  });

  it('Warn, Recovered and Triggered on one monitor+scope share a fingerprint', () => {
    const fps = [
      'keep-raw-11-warn-P2.json',
      'keep-raw-24-recovered-P2.json',
      'keep-raw-28-triggered-P2.json',
    ].map((f) => one(readFixture('datadog', f)).fingerprint);
    expect(new Set(fps).size).toBe(1);
  });

  it('the 43-event sequence maps consistently', () => {
    expect(SEQUENCE).toHaveLength(43);
    const byKey = new Map<string, Set<string>>();
    const byFingerprint = new Map<string, Set<string>>();
    for (const event of SEQUENCE) {
      const alert = one(event);
      expect(alert.status).toBe(event.alert_transition === 'Recovered' ? 'resolved' : 'firing');
      expect(alert.labels.monitor_id).toBe(event.monitor_id);
      const key = `${event.monitor_id}|${event.scopes}`;
      byKey.set(key, (byKey.get(key) ?? new Set()).add(alert.fingerprint));
      byFingerprint.set(alert.fingerprint, (byFingerprint.get(alert.fingerprint) ?? new Set()).add(key));
    }
    // Same monitor+scope → one fingerprint; different monitor+scope → different fingerprints.
    for (const fps of byKey.values()) expect(fps.size).toBe(1);
    for (const keys of byFingerprint.values()) expect(keys.size).toBe(1);
    // Both states occur for some identities (Triggered → Recovered cycles).
    const statuses = new Map<string, Set<string>>();
    for (const event of SEQUENCE) {
      const a = one(event);
      statuses.set(a.fingerprint, (statuses.get(a.fingerprint) ?? new Set()).add(a.status));
    }
    expect([...statuses.values()].some((s) => s.size === 2)).toBe(true);
  });

  it('the event id never decides identity', () => {
    const event = SEQUENCE[0]!;
    expect(one({ ...event, id: '1' }).fingerprint).toBe(one({ ...event, id: '2' }).fingerprint);
  });
});

const DEFAULT_BODY = (title: string, group: string) => ({
  body: `%%%\nSomething happened\n\n[[Monitor Status](https://app.datadoghq.com/monitors/4242?group=${encodeURIComponent(group)}&from_ts=1&to_ts=2&event_id=99&link_source=monitor_notif)] · [[Edit Monitor](https://app.datadoghq.com/monitors/4242/edit?link_source=monitor_notif)]\n%%%`,
  last_updated: '1605070582000',
  event_type: 'query_alert_monitor',
  title,
  date: '1605070582000',
  org: { id: '1', name: 'Acme' },
  id: '5819181818181818181',
});

describe('datadog default payload (7 fields)', () => {
  it('takes the state from the title and identity from the Monitor Status link', () => {
    const triggered = one(DEFAULT_BODY('[Triggered on {host:web-1}] CPU high', 'host:web-1'));
    const recovered = one({ ...DEFAULT_BODY('[Recovered on {host:web-1}] CPU high', 'host:web-1'), id: '2' });
    const other = one(DEFAULT_BODY('[Triggered on {host:web-2}] CPU high', 'host:web-2'));
    expect(triggered.status).toBe('firing');
    expect(recovered.status).toBe('resolved');
    expect(triggered.fingerprint).toBe(recovered.fingerprint);
    expect(other.fingerprint).not.toBe(triggered.fingerprint);
    expect(triggered.labels).toEqual({ host: 'web-1', monitor_id: '4242' });
    expect(triggered.title).toBe('CPU high');
    expect(triggered.startsAt).toEqual(new Date(1605070582000));
    expect(triggered.annotations.description).toBe(
      'Something happened\n\n[[Monitor Status](https://app.datadoghq.com/monitors/4242?group=host%3Aweb-1&from_ts=1&to_ts=2&event_id=99&link_source=monitor_notif)] · [[Edit Monitor](https://app.datadoghq.com/monitors/4242/edit?link_source=monitor_notif)]',
    );
  });

  it('agrees with the recommended template on the identity of the same monitor+group', () => {
    const fromLink = one(DEFAULT_BODY('[Triggered on {host:web-1}] CPU high', 'host:web-1'));
    const fromTemplate = one({ alert_id: '4242', alert_scope: 'host:web-1', alert_transition: 'Triggered' });
    expect(fromTemplate.fingerprint).toBe(fromLink.fingerprint);
  });

  it('without any link, keys on the title without its state prefix', () => {
    const a = one({ title: '[Triggered on {host:a}] Disk full', id: '1', date: '1605070582000' });
    const b = one({ title: '[Recovered on {host:a}] Disk full', id: '2', date: '1605070999000' });
    const c = one({ title: '[Triggered on {host:b}] Disk full', id: '3' });
    expect(a.status).toBe('firing');
    expect(b.status).toBe('resolved');
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });

  it('priority and test markers in the title', () => {
    const alert = one({ title: '[TEST] [P2] [Warn] Latency', id: '1' });
    expect(alert.status).toBe('firing');
    expect(alert.labels).toEqual({ priority: 'P2', test: 'true' });
    expect(alert.title).toBe('Latency');
  });
});

describe('datadog recommended template and aliases', () => {
  const recommended = {
    id: '7879709234193994156',
    aggreg_key: '9bd4ac313a4d1e8fae2482df7b77628',
    alert_cycle_key: '7879709234193994000',
    alert_id: '1234',
    alert_transition: 'Triggered',
    alert_type: 'error',
    alert_priority: 'P1',
    alert_title: '[Triggered on {host:ip-012345}] Host is Down',
    alert_scope: 'host:ip-012345',
    alert_status: 'system.load.1 over host:ip-012345 was > 0',
    alert_metric: 'system.load.1',
    alert_query: 'avg(last_5m):avg:system.load.1{*} by {host} > 0',
    event_type: 'query_alert_monitor',
    title: '[Triggered on {host:ip-012345}] Host is Down',
    body: '%%%\nHost down\n%%%',
    text_only_msg: 'Host down',
    hostname: 'ip-012345',
    tags: 'monitor, name:myService, role:computing-node',
    link: 'https://app.datadoghq.com/event/event?id=7879709234193994156',
    snapshot: '$SNAPSHOT',
    date: '1406662672000',
    last_updated: '1406662672000',
    org: { id: '1', name: 'Acme' },
  };

  it('maps every field', () => {
    const alert = one(recommended);
    expect(alert).toMatchObject({
      source: 'datadog',
      status: 'firing',
      title: 'Host is Down',
      labels: {
        monitor: '',
        name: 'myService',
        role: 'computing-node',
        host: 'ip-012345',
        monitor_id: '1234',
        priority: 'P1',
        hostname: 'ip-012345',
      },
      startsAt: new Date(1406662672000),
      endsAt: null,
      generatorUrl: 'https://app.datadoghq.com/event/event?id=7879709234193994156',
      raw: recommended,
    });
    expect(alert.annotations).toMatchObject({
      summary: 'system.load.1 over host:ip-012345 was > 0',
      description: 'Host down',
      alert_cycle_key: '7879709234193994000',
      query: 'avg(last_5m):avg:system.load.1{*} by {host} > 0',
      org_name: 'Acme',
    });
    // `$SNAPSHOT` left unrendered counts as missing.
    expect(alert.annotations.snapshot).toBeUndefined();
  });

  it('resolves on Recovered with the event date as end', () => {
    const alert = one({
      ...recommended,
      alert_transition: 'Recovered',
      alert_type: 'success',
      date: '1406662999000',
    });
    expect(alert.status).toBe('resolved');
    expect(alert.endsAt).toEqual(new Date(1406662999000));
    expect(alert.fingerprint).toBe(one(recommended).fingerprint);
  });

  it.each([
    ['Triggered', 'firing'],
    ['Re-Triggered', 'firing'],
    ['Warn', 'firing'],
    ['Re-Warn', 'firing'],
    ['No Data', 'firing'],
    ['Re-No Data', 'firing'],
    ['Renotify', 'firing'],
    ['Recovered', 'resolved'],
  ])('transition %s → %s (wins over alert_type and title)', (transition, status) => {
    const alert = one({
      alert_transition: transition,
      alert_type: 'info',
      title: '[Whatever] x',
      alert_id: '1',
    });
    expect(alert.status).toBe(status);
  });

  it('falls back to alert_type, then the title, then firing', () => {
    expect(one({ alert_type: 'success', title: '[Triggered] x' }).status).toBe('resolved');
    expect(one({ alert_transition: '$ALERT_TRANSITION', alert_type: 'error' }).status).toBe('firing');
    expect(one({ alert_type: 'info', title: '[P2] [Recovered] x' }).status).toBe('resolved');
    expect(one({ title: 'no prefix' }).status).toBe('firing');
  });

  it('identity: alert_id + scope, then alert_cycle_key', () => {
    const a = one({ alert_id: '1', alert_scope: 'host:a,env:prod', id: 'x' });
    const sameScopeOtherOrder = one({ monitor_id: '1', scopes: 'env:prod, host:a', id: 'y' });
    const otherScope = one({ alert_id: '1', alert_scope: 'host:b' });
    expect(sameScopeOtherOrder.fingerprint).toBe(a.fingerprint);
    expect(otherScope.fingerprint).not.toBe(a.fingerprint);
    const cycle1 = one({ alert_cycle_key: 'c1', id: '1' });
    expect(one({ alert_cycle_key: 'c1', id: '2' }).fingerprint).toBe(cycle1.fingerprint);
    expect(one({ alert_cycle_key: 'c2' }).fingerprint).not.toBe(cycle1.fingerprint);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('recognises camelCase, nested metadata (StackPulse) and event_title/alert_title', () => {
    const camel = one({
      alertId: '9',
      alertScope: 'host:a',
      alertTransition: 'Recovered',
      lastUpdatedPosix: '1700000000',
    });
    expect(camel.status).toBe('resolved');
    expect(camel.labels.monitor_id).toBe('9');
    expect(camel.startsAt).toEqual(new Date(1700000000 * 1000));
    expect(camel.fingerprint).toBe(one({ alert_id: '9', alert_scope: 'host:a' }).fingerprint);

    const nested = one({
      body: 'x',
      title: '[Triggered on {host:a}] Nested',
      id: '1',
      metadata: { ALERT_ID: '9', ALERT_SCOPE: 'host:a', ALERT_TRANSITION: 'Triggered', HOSTNAME: 'a' },
    });
    expect(nested.fingerprint).toBe(camel.fingerprint);
    expect(nested.labels).toMatchObject({ monitor_id: '9', hostname: 'a' });

    expect(one({ event_title: '[Recovered] E', alert_id: '1' }).title).toBe('E');
    expect(one({ alert_title: '[Triggered on {h:x}] A', alert_id: '1' }).title).toBe('A');
  });

  it('reads dates as epoch ms, epoch s, ISO 8601, numbers; a bad date falls back to the receive time', () => {
    const at = (date: unknown) => one({ alert_id: '1', date }).startsAt;
    expect(at('1733930135000')).toEqual(new Date(1733930135000));
    expect(at(1733930135000)).toEqual(new Date(1733930135000));
    expect(at('1733930135')).toEqual(new Date(1733930135000));
    expect(at('2022-01-01T00:00:00+00:00')).toEqual(new Date('2022-01-01T00:00:00Z'));
    expect(at('not a date')).toEqual(RECEIVED_AT);
    expect(at('$DATE')).toEqual(RECEIVED_AT);
  });

  it('tags as a list; repeated keys joined; priority only P1..P5', () => {
    const alert = one({
      alert_id: '1',
      tags: ['security-group:sg-1', 'security-group:sg-2', 'env:prod', 42],
      priority: 'normal',
    });
    expect(alert.labels).toEqual({ 'security-group': 'sg-1,sg-2', env: 'prod', monitor_id: '1' });
    expect(one({ alert_id: '1', severity: 'p3' }).labels.priority).toBe('P3');
  });

  it('accepts any JSON object, even one it does not understand, with a stable fingerprint', () => {
    const a = one({ foo: 'bar', id: '1', date: '1700000000000' });
    const b = one({ foo: 'bar', id: '2', date: '1700000001000' });
    expect(a.status).toBe('firing');
    expect(a.title).toBe('Datadog event');
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(one({ foo: 'baz' }).fingerprint).not.toBe(a.fingerprint);
    expect(one({}).labels).toEqual({});
  });

  it('ignores inherited properties', () => {
    expect(
      one(JSON.parse('{"constructor":"x","__proto__":{"alert_id":"1"}}')).labels.monitor_id,
    ).toBeUndefined();
  });
});

describe('datadog errors', () => {
  it.each([
    ['a string', 'x'],
    ['an array', [{ alert_id: '1' }]],
    ['null', null],
    ['a number', 3],
  ])('rejects %s', (_what, body) => {
    expect(parseDatadog(body, RECEIVED_AT)).toEqual({ ok: false, error: 'body: expected a JSON object' });
  });
});
