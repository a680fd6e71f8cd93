import type { PublicIncident, StatusSnapshotInput } from './status-snapshot.ts';

/**
 * A sample snapshot input for tests: two groups, a top-level component, an open and a resolved
 * incident, a customer-only incident, maintenances in every state, hostile text, and canary
 * strings in fields that must never reach a public output (customers and row-like extras).
 */

export const FIXTURE_NOW = new Date('2026-04-10T12:00:00Z');
export const CANARIES = [
  'CANARY-CUSTOMER-globex',
  'CANARY-CUSTOMER-initech',
  'CANARY-LABEL-value',
  'CANARY-OWNER-alice',
  'CANARY-RULE-db-outage',
  'CANARY-NOTE-internal',
  'CANARY-GROUPKEY',
] as const;

/** An incident as a store row might hand it over: public fields plus internal extras. */
function leakyIncident(i: PublicIncident): PublicIncident {
  return Object.assign(
    {
      labels: { region: 'CANARY-LABEL-value', customer: 'CANARY-CUSTOMER-globex' },
      owner: 'CANARY-OWNER-alice',
      rule: 'CANARY-RULE-db-outage',
      notes: [{ message: 'CANARY-NOTE-internal' }],
      groupKey: 'CANARY-GROUPKEY',
    },
    i,
  );
}

const h = (iso: string) => new Date(iso);

export function fixtureInput(): StatusSnapshotInput {
  return {
    page: { title: 'Acme Cloud Status', timeZone: 'Europe/Berlin', url: 'https://status.example.com/' },
    components: [
      {
        id: 'api',
        name: 'Public API',
        group: 'Platform',
        position: 1,
        description: 'REST API',
        createdAt: h('2026-01-01T00:00:00Z'),
      },
      { id: 'web', name: 'Dashboard', group: 'Platform', position: 2, createdAt: h('2026-01-01T00:00:00Z') },
      {
        id: 'database',
        name: 'Managed Databases',
        group: 'Data',
        position: 3,
        createdAt: h('2026-03-01T00:00:00Z'),
      },
      { id: 'dns', name: 'DNS', group: null, position: 4, createdAt: h('2026-01-01T00:00:00Z') },
    ],
    incidents: [
      leakyIncident({
        id: 'inc-open',
        title: 'Database outage in eu-west <script>alert(1)</script>',
        severity: 'SEV1',
        status: 'identified',
        components: ['database', 'ghost-component'],
        componentStatus: 'major_outage',
        openedAt: h('2026-04-10T09:00:00Z'),
        resolvedAt: null,
        updatedAt: h('2026-04-10T10:00:00Z'),
        updates: [
          {
            id: 'u2',
            status: 'identified',
            message: 'Found it: <img src=x onerror=alert(2)> & friends',
            at: h('2026-04-10T10:00:00Z'),
            affectedComponents: [{ id: 'database', oldStatus: 'partial_outage', newStatus: 'major_outage' }],
          },
          {
            id: 'u1',
            status: 'investigating',
            message: 'We are investigating.',
            at: h('2026-04-10T09:05:00Z'),
          },
        ],
        customers: ['CANARY-CUSTOMER-globex', 'CANARY-CUSTOMER-initech'],
      }),
      leakyIncident({
        id: 'inc-old',
        title: 'Slow API responses',
        severity: 'SEV3',
        status: 'resolved',
        components: ['api'],
        componentStatus: 'degraded_performance',
        openedAt: h('2026-04-05T08:00:00Z'),
        resolvedAt: h('2026-04-05T09:30:00Z'),
        updatedAt: h('2026-04-05T09:30:00Z'),
        updates: [
          { id: 'o3', status: 'resolved', message: 'Resolved.', at: h('2026-04-05T09:30:00Z') },
          { id: 'o2', status: 'monitoring', message: 'Fix deployed.', at: h('2026-04-05T09:00:00Z') },
          {
            id: 'o1',
            status: 'investigating',
            message: 'Looking into slow responses.',
            at: h('2026-04-05T08:05:00Z'),
          },
        ],
        customers: [],
      }),
      leakyIncident({
        id: 'inc-private',
        title: 'Dedicated cluster degraded',
        severity: 'SEV2',
        status: 'investigating',
        components: ['web'],
        componentStatus: 'partial_outage',
        openedAt: h('2026-04-10T11:00:00Z'),
        resolvedAt: null,
        updatedAt: h('2026-04-10T11:00:00Z'),
        updates: [
          {
            id: 'p1',
            status: 'investigating',
            message: 'Your cluster is slow.',
            at: h('2026-04-10T11:00:00Z'),
          },
        ],
        customers: ['CANARY-CUSTOMER-initech'],
        audience: 'customers',
      }),
    ],
    maintenances: [
      {
        id: 'mnt-now',
        title: 'DNS provider migration',
        message: 'Moving DNS; no impact expected.',
        components: ['dns'],
        scheduledFor: h('2026-04-10T11:00:00Z'),
        scheduledUntil: h('2026-04-10T13:00:00Z'),
      },
      {
        id: 'mnt-next',
        title: 'Dashboard upgrade',
        message: 'Short interruptions <b>possible</b>.',
        components: ['web'],
        scheduledFor: h('2026-04-12T02:00:00Z'),
        scheduledUntil: h('2026-04-12T04:00:00Z'),
        createdAt: h('2026-04-01T00:00:00Z'),
      },
      {
        id: 'mnt-done',
        title: 'Database patching',
        message: 'Rolling restarts.',
        components: ['database'],
        scheduledFor: h('2026-04-02T02:00:00Z'),
        scheduledUntil: h('2026-04-02T03:00:00Z'),
      },
    ],
    intervals: [
      { componentId: 'api', status: 'operational', startedAt: h('2026-01-01T00:00:00Z'), endedAt: null },
      {
        componentId: 'api',
        status: 'degraded_performance',
        startedAt: h('2026-04-05T08:00:00Z'),
        endedAt: h('2026-04-05T09:30:00Z'),
      },
      {
        componentId: 'database',
        status: 'partial_outage',
        startedAt: h('2026-04-10T09:00:00Z'),
        endedAt: h('2026-04-10T10:00:00Z'),
      },
      {
        componentId: 'database',
        status: 'major_outage',
        startedAt: h('2026-04-10T10:00:00Z'),
        endedAt: null,
      },
      {
        componentId: 'database',
        status: 'under_maintenance',
        startedAt: h('2026-04-02T02:00:00Z'),
        endedAt: h('2026-04-02T03:00:00Z'),
      },
      {
        componentId: 'dns',
        status: 'under_maintenance',
        startedAt: h('2026-04-10T11:00:00Z'),
        endedAt: null,
      },
    ],
  };
}
