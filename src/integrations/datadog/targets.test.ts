import { describe, expect, it } from 'vitest';
import type { NotificationTarget } from '../../core/notification-routing.ts';
import { notificationTargets } from './targets.ts';

const slack: NotificationTarget = {
  name: 'ops',
  type: 'slack',
  url: 'https://x',
  events: ['incident.opened'],
  min_severity: 'SEV4',
  escalation: false,
};
const dd: NotificationTarget = {
  ...slack,
  name: 'dd',
  type: 'datadog',
  url: undefined,
  min_severity: 'SEV2',
};

describe('notificationTargets', () => {
  it('off: datadog targets are left out', () => {
    expect(notificationTargets([slack, dd], false)).toEqual([slack]);
  });

  it('on: a declared datadog target is used as declared', () => {
    expect(notificationTargets([slack, dd], true)).toEqual([slack, dd]);
  });

  it('on without one: an implicit target for openings, raises and resolutions', () => {
    expect(notificationTargets([slack], true)).toEqual([
      slack,
      {
        name: 'datadog',
        type: 'datadog',
        events: ['incident.opened', 'severity.raised', 'incident.resolved'],
        min_severity: 'SEV4',
        escalation: false,
      },
    ]);
  });
});
