import { describe, expect, it } from 'vitest';
import {
  componentStatuses,
  componentStatusOf,
  incidentImpact,
  pageStatus,
  type StatusIncident,
} from './status.ts';

const inc = (over: Partial<StatusIncident>): StatusIncident => ({
  status: 'investigating',
  components: ['api'],
  componentStatus: 'partial_outage',
  ...over,
});

describe('component status', () => {
  it('is operational without incidents or maintenance', () => {
    expect(componentStatusOf('api', [], [])).toBe('operational');
  });
  it('takes the worst unresolved incident naming the component', () => {
    const incidents = [
      inc({ componentStatus: 'degraded_performance' }),
      inc({ componentStatus: 'major_outage', status: 'resolved' }),
      inc({ componentStatus: 'partial_outage', status: 'monitoring' }),
      inc({ componentStatus: 'major_outage', components: ['db'] }),
    ];
    expect(componentStatusOf('api', incidents, [])).toBe('partial_outage');
    expect(componentStatusOf('db', incidents, [])).toBe('major_outage');
  });
  it('counts an incident without componentStatus as degraded', () => {
    expect(componentStatusOf('api', [inc({ componentStatus: null })], [])).toBe('degraded_performance');
  });
  it('shows maintenance unless an incident is worse', () => {
    const m = [{ components: ['api', 'db'] }];
    expect(componentStatusOf('db', [], m)).toBe('under_maintenance');
    expect(componentStatusOf('api', [inc({ componentStatus: 'degraded_performance' })], m)).toBe(
      'degraded_performance',
    );
    expect(componentStatuses(['api', 'web'], [], m)).toEqual(
      new Map([
        ['api', 'under_maintenance'],
        ['web', 'operational'],
      ]),
    );
  });
});

describe('page status', () => {
  it.each([
    [[], 'none', 'All Systems Operational'],
    [['operational', 'degraded_performance'], 'minor', 'Minor Service Outage'],
    [['partial_outage', 'degraded_performance'], 'major', 'Partial System Outage'],
    [['major_outage', 'under_maintenance'], 'critical', 'Major Service Outage'],
    [['under_maintenance', 'operational'], 'maintenance', 'Service Under Maintenance'],
  ] as const)('%j -> %s', (statuses, indicator, description) => {
    expect(pageStatus(statuses)).toEqual({ indicator, description });
  });
  it('takes unresolved incident impact into account', () => {
    expect(pageStatus(['operational'], [inc({ components: [], severity: 'SEV2' })]).indicator).toBe('major');
    expect(pageStatus(['operational'], [inc({ status: 'resolved', severity: 'SEV1' })]).indicator).toBe(
      'none',
    );
  });
});

describe('incident impact', () => {
  it('maps severity', () => {
    expect(incidentImpact({ severity: 'SEV1' })).toBe('critical');
    expect(incidentImpact({ severity: 'SEV2' })).toBe('major');
    expect(incidentImpact({ severity: 'SEV3' })).toBe('minor');
    expect(incidentImpact({ severity: 'SEV4', componentStatus: 'major_outage' })).toBe('none');
  });
  it('falls back to component status', () => {
    expect(incidentImpact({ componentStatus: 'partial_outage' })).toBe('major');
    expect(incidentImpact({ componentStatus: null })).toBe('none');
  });
});
