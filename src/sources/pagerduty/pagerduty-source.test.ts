import { describe, expect, it } from 'vitest';
import { fixtureNames, RECEIVED_AT, readFixture } from '../fixtures.test-support.ts';
import { CHANGE_EVENT_ERROR, parsePagerduty } from './pagerduty-source.ts';
import { derivedDedupKey, flattenDetails } from './to-raw.ts';

function ok(body: unknown) {
  const result = parsePagerduty(body, RECEIVED_AT);
  if (!result.ok) throw new Error(result.error);
  expect(result.alerts).toHaveLength(1);
  return result.alerts[0]!;
}

function error(body: unknown): string {
  const result = parsePagerduty(body, RECEIVED_AT);
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

describe('PagerDuty Events API v2 documentation examples', () => {
  it('covers every fixture file', () => {
    expect(fixtureNames('pagerduty')).toEqual([
      'events-v2-acknowledge.json',
      'events-v2-resolve.json',
      'events-v2-trigger-full-payload.json',
    ]);
  });

  it('maps the trigger with a full payload', () => {
    const body = readFixture('pagerduty', 'events-v2-trigger-full-payload.json');
    const alert = ok(body);
    expect(alert).toMatchObject({
      source: 'pagerduty',
      fingerprint: 'samplekeyhere',
      status: 'firing',
      title: 'Example alert on host1.example.com',
      startsAt: new Date('2015-07-17T08:42:58.315Z'),
      endsAt: null,
      generatorUrl: 'https://monitoring.example.com',
      labels: {
        severity: 'info',
        source: 'monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003',
        component: 'postgres',
        group: 'prod-datapipe',
        class: 'deploy',
      },
    });
    expect(alert.annotations).toEqual({
      summary: 'Example alert on host1.example.com',
      'ping time': '1500ms',
      'load avg': '0.75',
      client: 'Sample Monitoring Service',
      client_url: 'https://monitoring.example.com',
      links: JSON.stringify([{ href: 'https://example.com/', text: 'Link text' }]),
      images: JSON.stringify([
        {
          src: 'https://www.pagerduty.com/wp-content/uploads/2016/05/pagerduty-logo-green.png',
          href: 'https://example.com/',
          alt: 'Example text',
        },
      ]),
      pagerduty_event_action: 'trigger',
    });
    // The routing key is a credential: not kept with the alert.
    expect(alert.raw).not.toHaveProperty('routing_key');
    expect(alert.raw).toHaveProperty('dedup_key', 'samplekeyhere');
  });

  it('maps acknowledge as still firing, recorded in an annotation', () => {
    const alert = ok(readFixture('pagerduty', 'events-v2-acknowledge.json'));
    expect(alert).toMatchObject({ fingerprint: 'dedupkeyhere', status: 'firing', endsAt: null, labels: {} });
    expect(alert.annotations).toEqual({
      pagerduty_event_action: 'acknowledge',
      pagerduty_acknowledged_at: RECEIVED_AT.toISOString(),
    });
  });

  it('maps resolve as resolved now', () => {
    expect(ok(readFixture('pagerduty', 'events-v2-resolve.json'))).toMatchObject({
      fingerprint: 'dedupkeyhere',
      status: 'resolved',
      endsAt: RECEIVED_AT,
    });
  });

  it('refuses the change event example clearly', () => {
    expect(error(readFixture('pagerduty', 'rejected/change-event.json'))).toBe(CHANGE_EVENT_ERROR);
  });
});

describe('PagerDuty mapping details', () => {
  const trigger = {
    routing_key: 'k',
    event_action: 'trigger',
    payload: { summary: 's', source: 'h', severity: 'critical' },
  };

  it('derives a stable dedup key for a trigger without one (same body and time: same key)', () => {
    const a = ok(trigger);
    expect(a.fingerprint).toBe(derivedDedupKey(trigger, RECEIVED_AT));
    expect(a.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(parsePagerduty(trigger, new Date(RECEIVED_AT.getTime() + 1))).not.toEqual(
      parsePagerduty(trigger, RECEIVED_AT),
    );
  });

  it('flattens nested custom_details; scalars as text, arrays as JSON', () => {
    expect(flattenDetails({ a: { b: 1, c: [1, 2] }, d: true, e: null })).toEqual({
      'a.b': '1',
      'a.c': '[1,2]',
      d: 'true',
    });
    expect(flattenDetails('just text')).toEqual({ custom_details: 'just text' });
  });

  it('accepts RFC 3339 and colon-less offsets; refuses other timestamps', () => {
    expect(
      ok({ ...trigger, payload: { ...trigger.payload, timestamp: '2026-11-23T05:00:00+01:00' } }).startsAt,
    ).toEqual(new Date('2026-11-23T04:00:00Z'));
    expect(error({ ...trigger, payload: { ...trigger.payload, timestamp: 'yesterday' } })).toBe(
      'payload.timestamp: expected an ISO 8601 timestamp',
    );
  });

  it.each([
    ['not an object', [], 'body: expected a JSON object'],
    ['no routing_key', { event_action: 'resolve', dedup_key: 'x' }, 'routing_key: expected string'],
    [
      'a bad action',
      { routing_key: 'k', event_action: 'escalate' },
      'event_action: expected one of "trigger", "acknowledge", "resolve"',
    ],
    [
      'a trigger without payload',
      { routing_key: 'k', event_action: 'trigger' },
      'payload: required for a trigger event',
    ],
    [
      'a resolve without dedup_key',
      { routing_key: 'k', event_action: 'resolve' },
      'dedup_key: required for resolve',
    ],
    [
      'a bad severity',
      { ...trigger, payload: { ...trigger.payload, severity: 'high' } },
      'payload.severity: expected one of "critical", "error", "warning", "info"',
    ],
    [
      'no summary',
      { ...trigger, payload: { source: 'h', severity: 'info' } },
      'payload.summary: expected string',
    ],
    ['a long dedup_key', { ...trigger, dedup_key: 'x'.repeat(256) }, 'dedup_key: expected <= 255'],
  ])('refuses %s naming the field', (_what, body, message) => {
    expect(error(body)).toBe(message);
  });
});
