import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sources } from './registry.ts';

const NOW = new Date('2026-11-23T04:00:00Z');

describe('registry', () => {
  it('maps the senders by route name', () => {
    expect(Object.keys(sources).sort()).toEqual([
      'alertmanager',
      'datadog',
      'grafana',
      'pagerduty',
      'prometheus',
    ]);
    for (const [name, source] of Object.entries(sources)) expect(source.name).toBe(name);
  });
});

/** Bodies shaped like the real ones, with arbitrary JSON in every slot, reach deeper than plain JSON. */
const jsonish = fc.jsonValue();
const alertLike = fc.dictionary(
  fc.constantFrom(
    'status',
    'labels',
    'annotations',
    'startsAt',
    'endsAt',
    'fingerprint',
    'values',
    'generatorURL',
  ),
  fc.oneof(jsonish, fc.constantFrom('firing', 'resolved', '0001-01-01T00:00:00Z', '2024-01-01T00:00:00Z')),
);
const bodyLike = fc.oneof(
  jsonish,
  fc.record({ alerts: fc.array(fc.oneof(alertLike, jsonish)), groupLabels: jsonish, commonLabels: jsonish }),
  fc.dictionary(
    fc.constantFrom(
      'ruleId',
      'state',
      'evalMatches',
      'tags',
      'title',
      'alert_id',
      'date',
      'metadata',
      'alert_transition',
      'routing_key',
      'event_action',
      'dedup_key',
      'payload',
    ),
    jsonish,
  ),
  // Prometheus: a bare array of postable alerts.
  fc.array(fc.oneof(alertLike, jsonish)),
);

describe.each(Object.entries(sources))('%s parse never throws', (_name, source) => {
  it('returns ok or an error for any JSON value', () => {
    fc.assert(
      fc.property(bodyLike, (body) => {
        const result = source.parse(body, NOW);
        if (result.ok) expect(Array.isArray(result.alerts)).toBe(true);
        else expect(result.error).toContain(': ');
      }),
      { numRuns: 500 },
    );
  });
});

describe.each(Object.entries(sources))('%s parse survives hostile nesting', (_name, source) => {
  it('does not overflow the stack on deeply nested JSON', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const deepObject = JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`);
    for (const body of [
      { foo: deep },
      { alerts: [{ values: { a: deep } }] },
      { metadata: { ALERT_ID: deep } },
      [{ labels: {}, annotations: { a: deep } }],
      {
        routing_key: 'k',
        event_action: 'trigger',
        payload: { summary: 's', source: 'h', severity: 'info', custom_details: { a: deep, b: deepObject } },
      },
    ]) {
      expect(() => source.parse(body, NOW)).not.toThrow();
    }
  });
});
