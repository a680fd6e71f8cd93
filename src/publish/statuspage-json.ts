// Over 300 lines: the Statuspage v2 allow-list serializers for every public JSON shape, kept side by side so a new field is added in one place.
import type { ComponentStatus } from '../core/component-status.ts';
import type { Impact, Indicator } from '../core/status.ts';
import type {
  SnapshotComponent,
  SnapshotGroup,
  SnapshotIncident,
  SnapshotMaintenance,
  StatusSnapshot,
} from './status-snapshot.ts';

/**
 * Atlassian Statuspage v2 public API responses, built from the snapshot. Every object is an
 * ALLOW-LIST: fields are picked one by one, never copied from a row, so nothing internal
 * (labels, owners, rule names, notes, customers) can leak by accident.
 */

export interface SpPage {
  id: string;
  name: string;
  url: string;
  time_zone: string;
  updated_at: string;
}

export interface SpComponent {
  id: string;
  page_id: string;
  group_id: string | null;
  name: string;
  description: string | null;
  status: ComponentStatus;
  position: number;
  showcase: boolean;
  only_show_if_degraded: boolean;
  group: boolean;
  start_date: string | null;
  created_at: string;
  updated_at: string;
  components?: string[];
}

export interface SpAffectedComponent {
  code: string;
  name: string;
  old_status: ComponentStatus;
  new_status: ComponentStatus;
}

export interface SpIncidentUpdate {
  id: string;
  incident_id: string;
  status: string;
  body: string;
  created_at: string;
  updated_at: string;
  display_at: string;
  affected_components: SpAffectedComponent[] | null;
  deliver_notifications: boolean;
  custom_tweet: null;
  tweet_id: null;
}

export interface SpIncident {
  id: string;
  page_id: string;
  name: string;
  status: string;
  impact: Impact;
  created_at: string;
  updated_at: string;
  started_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  shortlink: string;
  incident_updates: SpIncidentUpdate[];
  components: SpComponent[];
}

export interface SpScheduledMaintenance extends SpIncident {
  scheduled_for: string;
  scheduled_until: string;
}

export interface SpStatus {
  indicator: Indicator;
  description: string;
}

const RECENT_LIMIT = 50;

const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);

function page(s: StatusSnapshot): SpPage {
  return {
    id: s.page.id,
    name: s.page.name,
    url: s.page.url,
    time_zone: s.page.timeZone,
    updated_at: iso(s.page.updatedAt),
  };
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function localDate(d: Date, timeZone: string): string {
  let f = dateFormats.get(timeZone);
  if (!f) {
    // en-CA formats as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, f);
  }
  return f.format(d);
}

function component(s: StatusSnapshot, c: SnapshotComponent): SpComponent {
  return {
    id: c.id,
    page_id: s.page.id,
    group_id: c.groupId,
    name: c.name,
    description: c.description,
    status: c.status,
    position: c.position,
    showcase: true,
    only_show_if_degraded: false,
    group: false,
    start_date: localDate(c.createdAt, s.page.timeZone),
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

function group(s: StatusSnapshot, g: SnapshotGroup): SpComponent {
  return {
    id: g.id,
    page_id: s.page.id,
    group_id: null,
    name: g.name,
    description: null,
    status: g.status,
    position: g.position,
    showcase: false,
    only_show_if_degraded: false,
    group: true,
    start_date: null,
    created_at: iso(g.createdAt),
    updated_at: iso(g.updatedAt),
    components: [...g.componentIds],
  };
}

/** Groups and components in display order: each group row right before its children. */
function allComponents(s: StatusSnapshot): SpComponent[] {
  const out: SpComponent[] = [];
  const emitted = new Set<string>();
  for (const c of s.components) {
    if (c.groupId && !emitted.has(c.groupId)) {
      const g = s.groups.find((x) => x.id === c.groupId);
      if (g) out.push(group(s, g));
      emitted.add(c.groupId);
    }
    out.push(component(s, c));
  }
  return out;
}

function componentsById(s: StatusSnapshot, ids: readonly string[]): SpComponent[] {
  const out: SpComponent[] = [];
  for (const id of ids) {
    const c = s.components.find((x) => x.id === id);
    if (c) out.push(component(s, c));
  }
  return out;
}

function incident(s: StatusSnapshot, i: SnapshotIncident): SpIncident {
  return {
    id: i.id,
    page_id: s.page.id,
    name: i.name,
    status: i.status,
    impact: i.impact,
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    started_at: iso(i.startedAt),
    monitoring_at: isoOrNull(i.monitoringAt),
    resolved_at: isoOrNull(i.resolvedAt),
    shortlink: i.shortlink,
    incident_updates: i.updates.map((u) => ({
      id: u.id,
      incident_id: i.id,
      status: u.status,
      body: u.body,
      created_at: iso(u.at),
      updated_at: iso(u.at),
      display_at: iso(u.at),
      affected_components: u.affectedComponents
        ? u.affectedComponents.map((a) => ({
            code: a.id,
            name: a.name,
            old_status: a.oldStatus,
            new_status: a.newStatus,
          }))
        : null,
      deliver_notifications: true,
      custom_tweet: null,
      tweet_id: null,
    })),
    components: componentsById(s, i.componentIds),
  };
}

function maintenance(s: StatusSnapshot, m: SnapshotMaintenance): SpScheduledMaintenance {
  return {
    id: m.id,
    page_id: s.page.id,
    name: m.name,
    status: m.status,
    impact: m.impact,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
    started_at: iso(m.startedAt ?? m.scheduledFor),
    monitoring_at: null,
    resolved_at: isoOrNull(m.resolvedAt),
    shortlink: m.shortlink,
    scheduled_for: iso(m.scheduledFor),
    scheduled_until: iso(m.scheduledUntil),
    incident_updates: m.updates.map((u) => ({
      id: u.id,
      incident_id: m.id,
      status: u.status,
      body: u.body,
      created_at: iso(u.at),
      updated_at: iso(u.at),
      display_at: iso(u.at),
      affected_components: null,
      deliver_notifications: true,
      custom_tweet: null,
      tweet_id: null,
    })),
    components: componentsById(s, m.componentIds),
  };
}

const unresolved = (s: StatusSnapshot) => s.incidents.filter((i) => i.status !== 'resolved');
const upcoming = (s: StatusSnapshot) =>
  s.maintenances
    .filter((m) => m.status === 'scheduled')
    .sort((a, b) => a.scheduledFor.getTime() - b.scheduledFor.getTime());
const active = (s: StatusSnapshot) =>
  s.maintenances.filter((m) => m.status === 'in_progress' || m.status === 'verifying');

export function statusJson(s: StatusSnapshot): { page: SpPage; status: SpStatus } {
  return { page: page(s), status: { indicator: s.status.indicator, description: s.status.description } };
}

export function componentsJson(s: StatusSnapshot): { page: SpPage; components: SpComponent[] } {
  return { page: page(s), components: allComponents(s) };
}

/** Status, all components, unresolved incidents, upcoming and in-progress maintenances. */
export function summaryJson(s: StatusSnapshot): {
  page: SpPage;
  status: SpStatus;
  components: SpComponent[];
  incidents: SpIncident[];
  scheduled_maintenances: SpScheduledMaintenance[];
} {
  return {
    page: page(s),
    status: statusJson(s).status,
    components: allComponents(s),
    incidents: unresolved(s).map((i) => incident(s, i)),
    scheduled_maintenances: [...active(s), ...upcoming(s)].map((m) => maintenance(s, m)),
  };
}

/** The 50 most recent incidents, resolved ones included, newest first. */
export function incidentsJson(s: StatusSnapshot): { page: SpPage; incidents: SpIncident[] } {
  return { page: page(s), incidents: s.incidents.slice(0, RECENT_LIMIT).map((i) => incident(s, i)) };
}

export function unresolvedIncidentsJson(s: StatusSnapshot): { page: SpPage; incidents: SpIncident[] } {
  return { page: page(s), incidents: unresolved(s).map((i) => incident(s, i)) };
}

/** The 50 most recent maintenances, completed ones included. */
export function scheduledMaintenancesJson(s: StatusSnapshot): {
  page: SpPage;
  scheduled_maintenances: SpScheduledMaintenance[];
} {
  return {
    page: page(s),
    scheduled_maintenances: s.maintenances.slice(0, RECENT_LIMIT).map((m) => maintenance(s, m)),
  };
}

export function upcomingMaintenancesJson(s: StatusSnapshot): {
  page: SpPage;
  scheduled_maintenances: SpScheduledMaintenance[];
} {
  return { page: page(s), scheduled_maintenances: upcoming(s).map((m) => maintenance(s, m)) };
}

export function activeMaintenancesJson(s: StatusSnapshot): {
  page: SpPage;
  scheduled_maintenances: SpScheduledMaintenance[];
} {
  return { page: page(s), scheduled_maintenances: active(s).map((m) => maintenance(s, m)) };
}

/** Path under `/api/v2/` → serializer; what the public router mounts. */
export const STATUSPAGE_ROUTES = {
  'summary.json': summaryJson,
  'status.json': statusJson,
  'components.json': componentsJson,
  'incidents.json': incidentsJson,
  'incidents/unresolved.json': unresolvedIncidentsJson,
  'scheduled-maintenances.json': scheduledMaintenancesJson,
  'scheduled-maintenances/upcoming.json': upcomingMaintenancesJson,
  'scheduled-maintenances/active.json': activeMaintenancesJson,
} as const satisfies Record<string, (s: StatusSnapshot) => unknown>;

export type StatuspagePath = keyof typeof STATUSPAGE_ROUTES;
