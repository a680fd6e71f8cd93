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

  it('expands a recurring maintenance into occurrences and gives each its own updates; cancels and completes', () => {
    const input = fixtureInput();
    const at = (t: string) => new Date(t);
    input.maintenances = [
      {
        id: 'weekly',
        title: 'Weekly DNS rotation',
        message: 'Brief resolution delays.',
        components: ['dns'],
        scheduledFor: at('2026-03-01T00:00:00Z'),
        scheduledUntil: at('2026-03-01T01:00:00Z'),
        // Fixture page zone is Europe/Berlin: 12:30 local = 10:30 UTC in CEST.
        recurrence: { rule: 'FREQ=DAILY;BYHOUR=12;BYMINUTE=30', durationMs: 7_200_000 },
        updates: [
          {
            id: 'w-u3',
            status: 'verifying',
            message: 'Verifying.',
            at: at('2026-04-10T11:10:00Z'),
            kind: 'update',
          },
          {
            id: 'w-u2',
            status: 'in_progress',
            message: 'Old run.',
            at: at('2026-04-09T10:40:00Z'),
            kind: 'update',
          },
          {
            id: 'w-u1',
            status: 'scheduled',
            message: 'Brief resolution delays.',
            at: at('2026-03-01T00:00:00Z'),
            kind: 'created',
          },
        ],
      },
      {
        id: 'gone',
        title: 'Cancelled upgrade',
        message: 'x',
        components: ['web'],
        scheduledFor: at('2026-04-11T10:00:00Z'),
        scheduledUntil: at('2026-04-11T11:00:00Z'),
        cancelledAt: at('2026-04-10T09:00:00Z'),
        updates: [
          {
            id: 'g-u2',
            status: 'completed',
            message: 'Cancelled.',
            at: at('2026-04-10T09:00:00Z'),
            kind: 'cancelled',
          },
          { id: 'g-u1', status: 'scheduled', message: 'x', at: at('2026-04-01T00:00:00Z'), kind: 'created' },
        ],
      },
    ];
    const snap = buildStatusSnapshot(input, FIXTURE_NOW); // 2026-04-10T12:00Z = 14:00 Berlin
    const weekly = snap.maintenances.filter((m) => m.id.startsWith('weekly-'));
    expect(weekly.map((m) => [m.id, m.status, m.scheduledFor.toISOString()])).toEqual([
      ['weekly-20260413T103000Z', 'scheduled', '2026-04-13T10:30:00.000Z'],
      ['weekly-20260412T103000Z', 'scheduled', '2026-04-12T10:30:00.000Z'],
      ['weekly-20260411T103000Z', 'scheduled', '2026-04-11T10:30:00.000Z'],
      ['weekly-20260410T103000Z', 'verifying', '2026-04-10T10:30:00.000Z'],
      ['weekly-20260409T103000Z', 'completed', '2026-04-09T10:30:00.000Z'],
    ]);
    const updatesOf = (id: string) => snap.maintenances.find((m) => m.id === id)!.updates.map((u) => u.id);
    expect(updatesOf('weekly-20260410T103000Z')).toEqual(['w-u3', 'w-u1']);
    expect(updatesOf('weekly-20260409T103000Z')).toEqual(['w-u2', 'w-u1']);
    expect(updatesOf('weekly-20260411T103000Z')).toEqual(['w-u1']);
    expect(snap.components.find((c) => c.id === 'dns')!.status).toBe('under_maintenance');
    const gone = snap.maintenances.find((m) => m.id === 'gone')!;
    expect(gone).toMatchObject({
      status: 'completed',
      startedAt: null,
      resolvedAt: at('2026-04-10T09:00:00Z'),
    });
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
