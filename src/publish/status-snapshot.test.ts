import { describe, expect, it } from 'vitest';
import { CANARIES, FIXTURE_NOW, fixtureInput } from './status-snapshot.fixture.ts';
import { buildStatusSnapshot, maintenanceStatusAt } from './status-snapshot.ts';

describe('buildStatusSnapshot', () => {
  const s = buildStatusSnapshot(fixtureInput(), FIXTURE_NOW);

  it('computes component, group and page status', () => {
    const status = Object.fromEntries(s.components.map((c) => [c.id, c.status]));
    expect(status).toEqual({
      api: 'operational',
      web: 'operational',
      database: 'major_outage',
      dns: 'under_maintenance',
    });
    expect(s.groups.map((g) => [g.id, g.status, g.componentIds])).toEqual([
      ['group-platform', 'operational', ['api', 'web']],
      ['group-data', 'major_outage', ['database']],
    ]);
    expect(s.status).toEqual({ indicator: 'critical', description: 'Major Service Outage' });
  });

  it('orders incidents newest first and derives Statuspage times', () => {
    expect(s.incidents.map((i) => i.id)).toEqual(['inc-open', 'inc-old']);
    const old = s.incidents[1]!;
    expect(old.impact).toBe('minor');
    expect(old.monitoringAt?.toISOString()).toBe('2026-04-05T09:00:00.000Z');
    expect(old.resolvedAt?.toISOString()).toBe('2026-04-05T09:30:00.000Z');
    expect(s.incidents[0]!.componentIds).toEqual(['database']);
    expect(s.incidents[0]!.shortlink).toBe('https://status.example.com/incidents/inc-open');
  });

  it('derives maintenance status from time', () => {
    expect(Object.fromEntries(s.maintenances.map((m) => [m.id, m.status]))).toEqual({
      'mnt-next': 'scheduled',
      'mnt-now': 'in_progress',
      'mnt-done': 'completed',
    });
    const m = { scheduledFor: new Date(10), scheduledUntil: new Date(20) };
    expect(maintenanceStatusAt(m, 9)).toBe('scheduled');
    expect(maintenanceStatusAt(m, 10)).toBe('in_progress');
    expect(maintenanceStatusAt(m, 20)).toBe('completed');
    expect(maintenanceStatusAt({ ...m, status: 'verifying' }, 5)).toBe('verifying');
  });

  it('has 90 uptime days per component', () => {
    for (const c of s.components) expect(c.uptime.days).toHaveLength(90);
    const db = s.components.find((c) => c.id === 'database')!;
    expect(db.uptime.days.at(-1)!.incidents.map((i) => i.id)).toEqual(['inc-open']);
  });

  it('shows customer-only incidents to the named customer only', () => {
    expect(s.incidents.some((i) => i.id === 'inc-private')).toBe(false);
    const initech = s.forCustomer('CANARY-CUSTOMER-initech');
    expect(initech.viewer).toEqual({ customerId: 'CANARY-CUSTOMER-initech' });
    expect(initech.incidents.map((i) => [i.id, i.affectsViewer])).toEqual([
      ['inc-private', true],
      ['inc-open', true],
      ['inc-old', false],
    ]);
    expect(initech.components.find((c) => c.id === 'web')!.status).toBe('partial_outage');
    expect(s.forCustomer('someone-else').incidents.map((i) => i.id)).toEqual(['inc-open', 'inc-old']);
    expect(initech.version).not.toBe(s.version);
    expect(s.forCustomer('CANARY-CUSTOMER-initech')).toBe(initech);
  });

  it('has a content version that is stable and moves with content', () => {
    expect(buildStatusSnapshot(fixtureInput(), FIXTURE_NOW).version).toBe(s.version);
    const changed = fixtureInput();
    changed.incidents[0]!.updates[0]!.message = 'changed';
    expect(buildStatusSnapshot(changed, FIXTURE_NOW).version).not.toBe(s.version);
  });

  it('keeps customers and internal row fields out of the public snapshot', () => {
    const json = JSON.stringify(s);
    for (const c of CANARIES) expect(json).not.toContain(c);
  });
});
