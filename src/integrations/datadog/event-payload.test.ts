import { describe, expect, it } from 'vitest';
import type { Notice } from '../../core/notification-routing.ts';
import { buildDatadogEvent, deliveryTag } from './event-payload.ts';

const notice = (over: Partial<Notice> = {}, incident: Partial<Notice['incident']> = {}): Notice => ({
  event: 'incident.opened',
  alsoKnownAs: [],
  escalation: false,
  at: '2026-11-01T10:00:00.000Z',
  headline: 'SEV2 opened: Checkout errors',
  incident: {
    id: 'inc123',
    title: 'Checkout errors',
    severity: 'SEV2',
    state: 'open',
    status: 'investigating',
    customers: ['acme'],
    components: ['api', 'billing'],
    owner: null,
    openedAt: '2026-11-01T10:00:00.000Z',
    ...incident,
  },
  details: {},
  ...over,
});

const links = {
  internalUrl: 'http://s/internal/incidents/inc123',
  publicUrl: null,
  deliveryTag: deliveryTag('inc123', 7),
};

describe('buildDatadogEvent', () => {
  it('tags, aggregation key, date and alert type of an opening', () => {
    const e = buildDatadogEvent(notice(), links);
    expect(e).toMatchObject({
      title: 'SEV2 opened: Checkout errors',
      alertType: 'error',
      aggregationKey: 'inc123',
      dateHappened: Date.parse('2026-11-01T10:00:00Z') / 1000,
      priority: 'normal',
    });
    expect(e.tags).toEqual([
      'incident_id:inc123',
      'severity:SEV2',
      'service:api',
      'service:billing',
      'source:incidentd',
      'incidentd_event:incident.opened',
      'incidentd_delivery:inc123.7',
    ]);
  });

  it.each([
    ['SEV1', 'error'],
    ['SEV2', 'error'],
    ['SEV3', 'warning'],
    ['SEV4', 'info'],
  ] as const)('%s → alert_type %s; resolved → success', (severity, type) => {
    expect(buildDatadogEvent(notice({}, { severity }), links).alertType).toBe(type);
    expect(buildDatadogEvent(notice({ event: 'incident.resolved' }, { severity }), links).alertType).toBe(
      'success',
    );
  });

  it('links the internal timeline always and the public page only when given', () => {
    const internal = buildDatadogEvent(notice(), links).text;
    expect(internal).toContain('[Internal timeline](http://s/internal/incidents/inc123)');
    expect(internal).not.toContain('Public incident page');
    const pub = buildDatadogEvent(notice(), { ...links, publicUrl: 'http://s/incidents/inc123' }).text;
    expect(pub).toContain('[Public incident page](http://s/incidents/inc123)');
    expect(pub.startsWith('%%%')).toBe(true);
  });

  it('keeps title and text within Datadog limits', () => {
    const e = buildDatadogEvent(notice({ headline: 'x'.repeat(300) }, { title: 'y'.repeat(5000) }), links);
    expect(e.title.length).toBe(100);
    expect(e.text.length).toBeLessThanOrEqual(4000);
    expect(e.text).toContain('[Internal timeline]');
  });
});
