import { describe, expect, it } from 'vitest';
import type { Notice } from '../core/notification-routing.ts';
import { viewNotice } from './notice.ts';
import { formatPagerDuty } from './pagerduty.ts';

const notice = (over: Partial<Notice> = {}, incident: Partial<Notice['incident']> = {}): Notice => ({
  event: 'incident.opened',
  alsoKnownAs: [],
  escalation: false,
  at: '2026-11-01T10:00:00.000Z',
  headline: 'SEV3 opened: Slow search',
  incident: {
    id: 'inc 1',
    title: 'Slow search',
    severity: 'SEV3',
    state: 'open',
    status: 'investigating',
    customers: [],
    components: [],
    owner: null,
    openedAt: '2026-11-01T10:00:00.000Z',
    ...incident,
  },
  details: {},
  ...over,
});

describe('notice view', () => {
  it('links the timeline always and the public page only once published; reads rows of older versions', () => {
    expect(viewNotice(notice(), 'https://status.example/').links).toEqual({
      timeline: 'https://status.example/internal/incidents/inc%201',
      public: null,
    });
    const v = viewNotice(
      notice({ message: 'x' }, { published: true, nextUpdateDue: '2026-11-01T10:30:00.000Z' }),
      'http://s',
    );
    expect([v.links.public, v.nextUpdateDue, v.message]).toEqual([
      'http://s/incidents/inc%201',
      '2026-11-01T10:30:00.000Z',
      'x',
    ]);
  });
});

describe('formatPagerDuty', () => {
  it('maps every severity, uses incidentd as the source without components, and caps the summary', () => {
    const severities = (['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const).map(
      (severity) =>
        (
          formatPagerDuty(viewNotice(notice({}, { severity }), 'http://s'), 'k') as {
            payload: { severity: string };
          }
        ).payload.severity,
    );
    expect(severities).toEqual(['critical', 'error', 'warning', 'info']);
    const long = formatPagerDuty(viewNotice(notice({ headline: 'x'.repeat(2000) }), 'http://s'), 'k') as {
      payload: { summary: string; source: string };
    };
    expect([long.payload.summary.length, long.payload.source]).toEqual([1024, 'incidentd']);
  });
  it('acknowledges and resolves by dedup_key alone', () => {
    const v = (event: Notice['event']) => viewNotice(notice({ event }), 'http://s');
    expect(formatPagerDuty(v('incident.acknowledged'), 'k')).toEqual({
      routing_key: 'k',
      dedup_key: 'inc 1',
      event_action: 'acknowledge',
    });
    expect(formatPagerDuty(v('incident.resolved'), 'k')).toEqual({
      routing_key: 'k',
      dedup_key: 'inc 1',
      event_action: 'resolve',
    });
    expect(formatPagerDuty(v('incident.reopened'), 'k')).toMatchObject({ event_action: 'trigger' });
  });
});
