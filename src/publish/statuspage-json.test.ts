import { describe, expect, it } from 'vitest';
import { STATUSPAGE_RESPONSE_SCHEMAS } from '../../test/statuspage-schema.ts';
import { CANARIES, FIXTURE_NOW, fixtureInput } from './status-snapshot.fixture.ts';
import { buildStatusSnapshot, type StatusSnapshotInput } from './status-snapshot.ts';
import {
  activeMaintenancesJson,
  componentsJson,
  incidentsJson,
  STATUSPAGE_ROUTES,
  scheduledMaintenancesJson,
  summaryJson,
  unresolvedIncidentsJson,
  upcomingMaintenancesJson,
} from './statuspage-json.ts';

const s = buildStatusSnapshot(fixtureInput(), FIXTURE_NOW);

describe('Statuspage v2 serializers', () => {
  it.each(Object.keys(STATUSPAGE_ROUTES) as (keyof typeof STATUSPAGE_ROUTES)[])(
    '%s matches the Statuspage schema and leaks nothing',
    (path) => {
      for (const snap of [s, s.forCustomer('CANARY-CUSTOMER-initech')]) {
        const body = JSON.parse(JSON.stringify(STATUSPAGE_ROUTES[path](snap)));
        const result = STATUSPAGE_RESPONSE_SCHEMAS[path].safeParse(body);
        expect(result.error?.issues ?? []).toEqual([]);
        const text = JSON.stringify(body);
        // Even a customer's own view never names customers.
        for (const c of CANARIES) expect(text).not.toContain(c);
      }
    },
  );

  it('serializes the page object', () => {
    expect(summaryJson(s).page).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{12}$/),
      name: 'Acme Cloud Status',
      url: 'https://status.example.com',
      time_zone: 'Europe/Berlin',
      updated_at: '2026-04-10T11:00:00.000Z',
    });
  });

  it('emits groups with child ids and children with group_id', () => {
    const comps = componentsJson(s).components;
    expect(comps.map((c) => [c.id, c.group, c.group_id])).toEqual([
      ['group-platform', true, null],
      ['api', false, 'group-platform'],
      ['web', false, 'group-platform'],
      ['group-data', true, null],
      ['database', false, 'group-data'],
      ['dns', false, null],
    ]);
    expect(comps[0]!.components).toEqual(['api', 'web']);
    expect(comps[1]).not.toHaveProperty('components');
    expect(comps.find((c) => c.id === 'database')!.start_date).toBe('2026-03-01');
  });

  it('lists unresolved incidents in summary and all recent ones in incidents.json', () => {
    expect(summaryJson(s).incidents.map((i) => i.id)).toEqual(['inc-open']);
    expect(unresolvedIncidentsJson(s).incidents.map((i) => i.id)).toEqual(['inc-open']);
    const all = incidentsJson(s).incidents;
    expect(all.map((i) => i.id)).toEqual(['inc-open', 'inc-old']);
    const open = all[0]!;
    expect(open.impact).toBe('critical');
    expect(open.incident_updates.map((u) => u.id)).toEqual(['u2', 'u1']);
    expect(open.incident_updates[0]!.affected_components).toEqual([
      {
        code: 'database',
        name: 'Managed Databases',
        old_status: 'partial_outage',
        new_status: 'major_outage',
      },
    ]);
    expect(open.incident_updates[1]!.affected_components).toBeNull();
    expect(open.components.map((c) => c.id)).toEqual(['database']);
    expect(open.resolved_at).toBeNull();
  });

  it('keeps incidents.json to the 50 most recent', () => {
    const input: StatusSnapshotInput = { ...fixtureInput(), incidents: [] };
    for (let n = 0; n < 60; n++) {
      const at = new Date(Date.UTC(2026, 2, 1, n));
      input.incidents.push({
        id: `i${n}`,
        title: `Incident ${n}`,
        severity: 'SEV3',
        status: 'resolved',
        components: ['api'],
        componentStatus: null,
        openedAt: at,
        resolvedAt: at,
        updatedAt: at,
        updates: [],
        customers: [],
      });
    }
    const list = incidentsJson(buildStatusSnapshot(input, FIXTURE_NOW)).incidents;
    expect(list).toHaveLength(50);
    expect(list[0]!.id).toBe('i59');
  });

  it('splits maintenances into upcoming, active and all', () => {
    expect(upcomingMaintenancesJson(s).scheduled_maintenances.map((m) => m.id)).toEqual(['mnt-next']);
    expect(activeMaintenancesJson(s).scheduled_maintenances.map((m) => m.id)).toEqual(['mnt-now']);
    expect(scheduledMaintenancesJson(s).scheduled_maintenances.map((m) => m.id)).toEqual([
      'mnt-next',
      'mnt-now',
      'mnt-done',
    ]);
    expect(summaryJson(s).scheduled_maintenances.map((m) => m.id)).toEqual(['mnt-now', 'mnt-next']);
    const done = scheduledMaintenancesJson(s).scheduled_maintenances[2]!;
    expect(done.resolved_at).toBe('2026-04-02T03:00:00.000Z');
  });
});
