import type { ComponentStatus } from '../../core/component-status.ts';
import type { UptimeDay } from '../../core/uptime.ts';
import type { SnapshotComponent, StatusSnapshot } from '../../publish/status-snapshot.ts';
import { COMPONENT_STATUS_LABELS, formatLocalDate, formatMinutes, formatPercent } from './format.ts';
import { type IncidentVM, incidentView, type MaintenanceVM, maintenanceView } from './incident-view.ts';
import { type LayoutOptions, type LayoutVM, layoutView } from './layout.ts';

/** Snapshot → data for status.eta. Everything is a ready-to-print string or a list to loop over. */

export interface DayVM {
  date: string;
  /** CSS modifier: a component status or `nodata`. */
  tone: ComponentStatus | 'nodata';
  /** Tooltip. */
  title: string;
}

export interface ComponentVM {
  id: string;
  name: string;
  description: string | null;
  status: ComponentStatus;
  statusLabel: string;
  uptimeText: string;
  firstDayText: string;
  /** Oldest first. */
  days: DayVM[];
  /** Visually hidden text for screen readers: the bars' content as sentences. */
  uptimeSummary: string;
}

export interface SectionVM {
  /** null: components outside any group. */
  group: { id: string; name: string; status: ComponentStatus; statusLabel: string } | null;
  components: ComponentVM[];
}

export interface StatusPageVM extends LayoutVM {
  banner: { indicator: string; description: string };
  activeIncidents: IncidentVM[];
  activeMaintenances: MaintenanceVM[];
  upcomingMaintenances: MaintenanceVM[];
  sections: SectionVM[];
  /** Incidents resolved since the start of the day `pastDays` days ago. */
  pastIncidents: IncidentVM[];
  pastDays: number;
  uptimeRuleText: string;
  legend: { tone: DayVM['tone']; label: string }[];
}

export interface StatusPageOptions extends LayoutOptions {
  pastDays?: number;
}

const DAY_MS = 86_400_000;

export function statusPageView(s: StatusSnapshot, options: StatusPageOptions = {}): StatusPageVM {
  const basePath = options.basePath ?? '';
  const pastDays = options.pastDays ?? 14;
  // From the snapshot's day, not the render clock: the same version renders the same HTML.
  const since = s.today.startsAt.getTime() - pastDays * DAY_MS;
  const sections: SectionVM[] = [];
  for (const c of s.components) {
    const last = sections.at(-1);
    const groupId = c.groupId;
    if (groupId !== null && last?.group?.id === groupId) {
      last.components.push(componentView(c));
      continue;
    }
    if (groupId === null && last && last.group === null) {
      last.components.push(componentView(c));
      continue;
    }
    const g = groupId === null ? null : s.groups.find((x) => x.id === groupId);
    sections.push({
      group: g
        ? { id: g.id, name: g.name, status: g.status, statusLabel: COMPONENT_STATUS_LABELS[g.status] }
        : null,
      components: [componentView(c)],
    });
  }
  return {
    ...layoutView(s, s.page.name, options),
    banner: { indicator: s.status.indicator, description: s.status.description },
    activeIncidents: s.incidents
      .filter((i) => i.status !== 'resolved')
      .map((i) => incidentView(s, i, basePath)),
    activeMaintenances: s.maintenances
      .filter((m) => m.status === 'in_progress' || m.status === 'verifying')
      .map((m) => maintenanceView(s, m)),
    upcomingMaintenances: s.maintenances
      .filter((m) => m.status === 'scheduled')
      .sort((a, b) => a.scheduledFor.getTime() - b.scheduledFor.getTime())
      .map((m) => maintenanceView(s, m)),
    sections,
    pastIncidents: s.incidents
      .filter((i) => i.status === 'resolved' && (i.resolvedAt ?? i.updatedAt).getTime() >= since)
      .map((i) => incidentView(s, i, basePath)),
    pastDays,
    uptimeRuleText: s.uptimeRule.text,
    legend: [
      { tone: 'operational', label: 'No downtime' },
      { tone: 'degraded_performance', label: 'Degraded performance' },
      { tone: 'partial_outage', label: 'Partial outage' },
      { tone: 'major_outage', label: 'Major outage' },
      { tone: 'under_maintenance', label: 'Maintenance' },
      { tone: 'nodata', label: 'No data' },
    ],
  };
}

function componentView(c: SnapshotComponent): ComponentVM {
  const days = c.uptime.days;
  const troubled = days.filter((d) => !d.noData && d.worst !== 'operational');
  const summary = [`${days.length}-day uptime: ${formatPercent(c.uptime.uptimePercent)}.`];
  if (troubled.length === 0) summary.push('No incidents or downtime recorded.');
  else {
    summary.push(`${troubled.length} ${troubled.length === 1 ? 'day' : 'days'} with issues:`);
    for (const d of troubled) summary.push(`${dayText(d)}.`);
  }
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    status: c.status,
    statusLabel: COMPONENT_STATUS_LABELS[c.status],
    uptimeText: `${formatPercent(c.uptime.uptimePercent)} uptime`,
    firstDayText: days[0] ? `${days.length} days ago` : '',
    days: days.map((d) => ({ date: d.date, tone: d.noData ? 'nodata' : d.worst!, title: dayText(d) })),
    uptimeSummary: summary.join(' '),
  };
}

/** "Apr 5, 2026: Degraded performance 90 min; 1 incident: Slow API responses" */
function dayText(d: UptimeDay): string {
  const date = formatLocalDate(d.date);
  if (d.noData) return `${date}: no data`;
  const parts: string[] = [];
  for (const status of [
    'major_outage',
    'partial_outage',
    'degraded_performance',
    'under_maintenance',
  ] as const) {
    if (d.minutes[status] > 0)
      parts.push(`${COMPONENT_STATUS_LABELS[status]} ${formatMinutes(d.minutes[status])}`);
  }
  let text = parts.length ? `${date}: ${parts.join(', ')}` : `${date}: no downtime`;
  if (d.downtimeMinutes > 0) text += ` (${formatMinutes(d.downtimeMinutes)} counted as downtime)`;
  if (d.uptimePercent !== null && d.uptimePercent < 100) text += `, ${formatPercent(d.uptimePercent)} uptime`;
  if (d.incidents.length) {
    text += `; ${d.incidents.length} ${d.incidents.length === 1 ? 'incident' : 'incidents'}: ${d.incidents.map((i) => i.title).join(', ')}`;
  }
  return text;
}
