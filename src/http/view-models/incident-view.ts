import type { SnapshotIncident, SnapshotMaintenance, StatusSnapshot } from '../../publish/status-snapshot.ts';
import { formatTime, IMPACT_LABELS, type TimeVM, UPDATE_STATUS_LABELS } from './format.ts';

/** One incident or maintenance as both pages show it: plain strings, no logic left for templates. */

export interface UpdateVM {
  id: string;
  status: string;
  statusLabel: string;
  body: string;
  time: TimeVM;
}

export interface IncidentVM {
  id: string;
  anchor: string;
  name: string;
  href: string;
  status: string;
  statusLabel: string;
  impact: string;
  impactLabel: string;
  resolved: boolean;
  affectsViewer: boolean;
  componentsText: string;
  startedAt: TimeVM;
  resolvedAt: TimeVM | null;
  updatedAt: TimeVM;
  /** Newest first. */
  updates: UpdateVM[];
}

export interface MaintenanceVM {
  id: string;
  anchor: string;
  name: string;
  status: string;
  statusLabel: string;
  componentsText: string;
  scheduledFor: TimeVM;
  scheduledUntil: TimeVM;
  updates: UpdateVM[];
}

function componentNames(s: StatusSnapshot, ids: readonly string[]): string {
  const names = ids.map((id) => s.components.find((c) => c.id === id)?.name ?? id);
  return names.join(', ');
}

export function incidentView(s: StatusSnapshot, i: SnapshotIncident, basePath = ''): IncidentVM {
  const tz = s.page.timeZone;
  return {
    id: i.id,
    anchor: `incident-${i.id}`,
    name: i.name,
    href: `${basePath}/incidents/${encodeURIComponent(i.id)}`,
    status: i.status,
    statusLabel: UPDATE_STATUS_LABELS[i.status] ?? i.status,
    impact: i.impact,
    impactLabel: IMPACT_LABELS[i.impact] ?? i.impact,
    resolved: i.status === 'resolved',
    affectsViewer: i.affectsViewer,
    componentsText: componentNames(s, i.componentIds),
    startedAt: formatTime(i.startedAt, tz),
    resolvedAt: i.resolvedAt ? formatTime(i.resolvedAt, tz) : null,
    updatedAt: formatTime(i.updatedAt, tz),
    updates: updateViews(i.updates, tz),
  };
}

/** An incident's or a maintenance's updates, as shown (both share one update shape). */
function updateViews(updates: (SnapshotIncident | SnapshotMaintenance)['updates'], tz: string): UpdateVM[] {
  return updates.map((u) => ({
    id: u.id,
    status: u.status,
    statusLabel: UPDATE_STATUS_LABELS[u.status] ?? u.status,
    body: u.body,
    time: formatTime(u.at, tz),
  }));
}

export function maintenanceView(s: StatusSnapshot, m: SnapshotMaintenance): MaintenanceVM {
  const tz = s.page.timeZone;
  return {
    id: m.id,
    anchor: `maintenance-${m.id}`,
    name: m.name,
    status: m.status,
    statusLabel: UPDATE_STATUS_LABELS[m.status] ?? m.status,
    componentsText: componentNames(s, m.componentIds),
    scheduledFor: formatTime(m.scheduledFor, tz),
    scheduledUntil: formatTime(m.scheduledUntil, tz),
    updates: updateViews(m.updates, tz),
  };
}
