import { describe, expect, it } from 'vitest';
import { type Incident, newIncident } from './incident.ts';
import { type NotificationTarget, noticesFor, routeNotice } from './notification-routing.ts';

const at = new Date('2026-11-01T10:00:00Z');
const incident = (severity: Incident['severity']): Incident =>
  newIncident({ id: 'inc1', title: 'DB down', severity, customers: ['acme'], openedAt: at });
const target = (over: Partial<NotificationTarget>): NotificationTarget => ({
  name: 't',
  type: 'webhook',
  url: 'http://x',
  events: ['incident.opened'],
  min_severity: 'SEV4',
  escalation: false,
  ...over,
});
const ev = (kind: string, data: Record<string, unknown> = {}) =>
  ({ kind, at, actor: 'alice', data }) as Parameters<typeof noticesFor>[0]['events'][number];

describe('noticesFor', () => {
  it('announces an opening once, at its final severity, escalating SEV1', () => {
    const n = noticesFor({
      incident: incident('SEV1'),
      created: true,
      events: [ev('opened'), ev('severity.changed', { from: 'SEV2', to: 'SEV1' })],
    });
    expect(n.map((x) => [x.event, x.escalation])).toEqual([['incident.opened', true]]);
  });
  it('raises only when severity goes up', () => {
    const change = (from: string, to: string) =>
      noticesFor({
        incident: incident('SEV2'),
        created: false,
        events: [ev('severity.changed', { from, to })],
      });
    expect(change('SEV3', 'SEV2').map((x) => x.event)).toEqual(['severity.raised']);
    // Lowering is no raise; it is an incident.updated (a bot message shows the new severity).
    expect(change('SEV1', 'SEV2').map((x) => x.event)).toEqual(['incident.updated']);
  });
  it('acknowledgements, reopenings, public updates and notes are notices; quiet changes fold into one update', () => {
    const at2 = new Date('2026-11-01T10:05:00Z');
    const kinds = (events: ReturnType<typeof ev>[], created = false) =>
      noticesFor({ incident: incident('SEV2'), created, events }).map((n) => [n.event, n.message ?? null]);
    expect(kinds([ev('acknowledged')])).toEqual([['incident.acknowledged', null]]);
    expect(kinds([ev('reopened', { reason: 'flap' })])).toEqual([['incident.reopened', null]]);
    expect(kinds([ev('update.posted', { status: 'identified', message: 'Fix rolling out' })])).toEqual([
      ['update.posted', 'Fix rolling out'],
    ]);
    expect(kinds([ev('note.added', { message: 'db01 swapped' })])).toEqual([['note.added', 'db01 swapped']]);
    const [updated] = noticesFor({
      incident: incident('SEV2'),
      created: false,
      events: [
        ev('owner.assigned', { owner: 'bob' }),
        ev('customer.added'),
        { ...ev('customer.added'), at: at2 },
      ],
    });
    expect(updated).toMatchObject({
      event: 'incident.updated',
      at: at2.toISOString(),
      details: { changes: ['owner', 'customers'] },
    });
    // An opening says it all: no separate update for what came with it.
    expect(kinds([ev('opened'), ev('customer.added'), ev('published')], true)).toEqual([
      ['incident.opened', null],
    ]);
    // Alerts attaching change nothing a message shows.
    expect(kinds([ev('alert.attached')])).toEqual([]);
  });
  it('an update breach is update.overdue and sla.breached at once', () => {
    const [n] = noticesFor({
      incident: incident('SEV2'),
      created: false,
      events: [ev('sla.breached', { target: 'update', overdueBy: '1m' })],
    });
    expect(n?.event).toBe('update.overdue');
    expect(n?.alsoKnownAs).toEqual(['sla.breached']);
  });
});

describe('routeNotice', () => {
  const [opened1] = noticesFor({ incident: incident('SEV1'), created: true, events: [ev('opened')] });
  const [opened3] = noticesFor({ incident: incident('SEV3'), created: true, events: [ev('opened')] });
  it('filters by min_severity and events', () => {
    const targets = [
      target({ name: 'all' }),
      target({ name: 'sev2+', min_severity: 'SEV2' }),
      target({ name: 'breaches', events: ['sla.breached'] }),
    ];
    expect(routeNotice(targets, opened3!).map((t) => t.name)).toEqual(['all']);
    expect(routeNotice(targets, opened1!).map((t) => t.name)).toEqual(['all', 'sev2+']);
  });
  it('routes follow-ups to stateful targets below min_severity (the outbox drops them if nothing was sent)', () => {
    const sev3 = incident('SEV3');
    const [ack] = noticesFor({ incident: sev3, created: false, events: [ev('acknowledged')] });
    const [raise] = noticesFor({
      incident: sev3,
      created: false,
      events: [ev('severity.changed', { from: 'SEV4', to: 'SEV3' })],
    });
    const pd = target({
      name: 'pd',
      type: 'pagerduty',
      routing_key: 'k',
      events: ['incident.acknowledged', 'severity.raised'],
      min_severity: 'SEV2',
    });
    const hook = target({
      name: 'hook',
      events: ['incident.acknowledged', 'severity.raised'],
      min_severity: 'SEV2',
    });
    const bot = target({
      name: 'bot',
      type: 'slack',
      token: 'xoxb-1',
      channel: 'C1',
      events: ['incident.acknowledged'],
      min_severity: 'SEV2',
    });
    expect(routeNotice([pd, hook, bot], ack!).map((t) => t.name)).toEqual(['pd', 'bot']);
    expect(routeNotice([pd, hook, bot], raise!)).toEqual([]);
  });
  it('sends SEV1 openings to escalation targets whatever their events; datadog routes like the others', () => {
    // Whether datadog targets are in the list at all (DD_API_KEY) is decided before routing.
    const targets = [
      target({ name: 'pager', events: [], escalation: true }),
      target({ name: 'dd', type: 'datadog', url: undefined, min_severity: 'SEV2' }),
    ];
    expect(routeNotice(targets, opened1!).map((t) => t.name)).toEqual(['pager', 'dd']);
    expect(routeNotice(targets, opened3!)).toEqual([]);
  });
});
