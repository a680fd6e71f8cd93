// Over 300 lines as one unit: the one public status calculation (inputs, snapshot types, pure build).
import { createHash } from 'node:crypto';
import { type ComponentStatus, worseStatus } from '../core/component-status.ts';
import type { PublicStatus } from '../core/incident.ts';
import { localDateOf, startOfLocalDay } from '../core/local-time.ts';
import {
  explicitUpdates,
  type Recurrence,
  updatesOfWindow,
  type Window,
  windowStatus,
  windowsOf,
} from '../core/maintenance-windows.ts';
import type { Severity } from '../core/severity.ts';
import {
  componentStatuses,
  type Impact,
  incidentImpact,
  type PageStatus,
  pageStatus,
  worstComponentStatus,
} from '../core/status.ts';
import { publicText } from '../core/storable-text.ts';
import {
  type ComponentUptime,
  type StatusInterval,
  UPTIME_RULE,
  type UptimeRule,
  uptimeBars,
} from '../core/uptime.ts';

/**
 * The status snapshot: everything the public page, the Statuspage JSON and the Atom feed need,
 * computed once per change (pure: `now` is passed in). Serializers only pick fields from it.
 *
 * Audience: incidents are public unless `audience: 'customers'`, in which case they appear only
 * in the views of the customers they name (`forCustomer`). Customer ids are used for that
 * filtering and are never copied into the snapshot.
 */

// ---------- input ----------

export interface SnapshotPageInput {
  title: string;
  timeZone: string;
  /** Absolute base URL, used for links and shortlinks. */
  url: string;
  /** Statuspage `page.id`; default: derived from the URL. */
  id?: string;
}

export interface SnapshotComponentInput {
  id: string;
  name: string;
  /** Display group name from the catalog; null/undefined: top level. */
  group?: string | null;
  description?: string | null;
  position: number;
  /** When it started to exist (uptime "no data" before); default: its earliest status interval. */
  createdAt?: Date | null;
}

export interface PublicIncidentUpdate {
  id: string;
  status: PublicStatus;
  message: string;
  at: Date;
  affectedComponents?: { id: string; oldStatus: ComponentStatus; newStatus: ComponentStatus }[] | null;
}

export interface PublicIncident {
  id: string;
  title: string;
  severity: Severity;
  status: PublicStatus;
  components: string[];
  componentStatus: ComponentStatus | null;
  openedAt: Date;
  resolvedAt: Date | null;
  updatedAt: Date;
  /** Public updates, newest first. */
  updates: PublicIncidentUpdate[];
  /** Affected customer ids: for per-customer views ONLY, never serialized. */
  customers: string[];
  /** 'public' (default): on the public page; 'customers': only in the named customers' views. */
  audience?: 'public' | 'customers';
}

export type MaintenanceStatus = 'scheduled' | 'in_progress' | 'verifying' | 'completed';

export interface MaintenanceUpdateInput {
  id: string;
  status: MaintenanceStatus;
  message: string;
  at: Date;
  /**
   * What the row records (store/maintenances): `created`/`edited` belong to a whole recurring series, the others
   * (`update`, `completed`, `cancelled`) to the occurrence they were posted for. Default: `update`.
   */
  kind?: 'created' | 'edited' | 'update' | 'completed' | 'cancelled';
}

export interface MaintenanceInput {
  id: string;
  title: string;
  message: string;
  components: string[];
  scheduledFor: Date;
  scheduledUntil: Date;
  /** Explicit status (e.g. completed early); default: derived from the time. */
  status?: MaintenanceStatus;
  /** Newest first; default: one `scheduled` update carrying `message`. */
  updates?: MaintenanceUpdateInput[];
  createdAt?: Date;
  /** Recurring: `scheduledFor` starts the series; each occurrence shows as its own scheduled maintenance. */
  recurrence?: Recurrence | null;
  cancelledAt?: Date | null;
  /** Completed early (a one-off's window ends then). */
  completedAt?: Date | null;
}

export interface StatusSnapshotInput {
  page: SnapshotPageInput;
  components: SnapshotComponentInput[];
  incidents: PublicIncident[];
  maintenances: MaintenanceInput[];
  intervals: StatusInterval[];
}

// ---------- snapshot ----------

export interface SnapshotComponent {
  id: string;
  name: string;
  description: string | null;
  position: number;
  /** Id of the group it belongs to; null at top level. */
  groupId: string | null;
  status: ComponentStatus;
  createdAt: Date;
  updatedAt: Date;
  uptime: ComponentUptime;
}

export interface SnapshotGroup {
  /** Derived from the group name: `group-<slug>`. */
  id: string;
  name: string;
  position: number;
  /** Worst status of its components. */
  status: ComponentStatus;
  componentIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface SnapshotIncidentUpdate {
  id: string;
  status: PublicStatus;
  body: string;
  at: Date;
  affectedComponents:
    | { id: string; name: string; oldStatus: ComponentStatus; newStatus: ComponentStatus }[]
    | null;
}

export interface SnapshotIncident {
  id: string;
  name: string;
  status: PublicStatus;
  impact: Impact;
  /** Component ids the incident names (known components only). */
  componentIds: string[];
  componentStatus: ComponentStatus | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date;
  monitoringAt: Date | null;
  resolvedAt: Date | null;
  shortlink: string;
  /** Newest first. */
  updates: SnapshotIncidentUpdate[];
  /** In a customer view: the viewer is among the affected customers. */
  affectsViewer: boolean;
}

export interface SnapshotMaintenanceUpdate {
  id: string;
  status: MaintenanceStatus;
  body: string;
  at: Date;
}

export interface SnapshotMaintenance {
  id: string;
  name: string;
  status: MaintenanceStatus;
  impact: Impact;
  componentIds: string[];
  scheduledFor: Date;
  scheduledUntil: Date;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  resolvedAt: Date | null;
  shortlink: string;
  updates: SnapshotMaintenanceUpdate[];
}

export interface StatusSnapshot {
  /** Content hash: changes exactly when what the page or JSON would show changes. Use as ETag. */
  version: string;
  generatedAt: Date;
  page: { id: string; name: string; url: string; timeZone: string; updatedAt: Date };
  status: PageStatus;
  /** Flat, groups first by position, children by position. */
  components: SnapshotComponent[];
  groups: SnapshotGroup[];
  /** All incidents of this audience, newest first (by createdAt). */
  incidents: SnapshotIncident[];
  /** All maintenances, by scheduledFor, newest first. */
  maintenances: SnapshotMaintenance[];
  uptimeRule: UptimeRule;
  /** Today in the page's time zone (part of the version, unlike generatedAt). */
  today: { date: string; startsAt: Date };
  /** null for the public page. */
  viewer: { customerId: string } | null;
  /** The same shape for one customer: public incidents plus the customer-only ones naming them. */
  forCustomer(customerId: string): StatusSnapshot;
}

/**
 * The input's text as the public may see it (core/storable-text publicText): no bidi overrides or other
 * invisible characters in titles, messages and names, whatever a rule template or a responder put there.
 */
function publicInput(input: StatusSnapshotInput): StatusSnapshotInput {
  const text = <T extends string | null | undefined>(s: T): T =>
    (typeof s === 'string' ? publicText(s) : s) as T;
  return {
    ...input,
    page: { ...input.page, title: text(input.page.title) },
    components: input.components.map((c) => ({
      ...c,
      name: text(c.name),
      group: text(c.group),
      description: text(c.description),
    })),
    incidents: input.incidents.map((i) => ({
      ...i,
      title: text(i.title),
      updates: i.updates.map((u) => ({ ...u, message: text(u.message) })),
    })),
    maintenances: input.maintenances.map((m) => ({
      ...m,
      title: text(m.title),
      message: text(m.message),
      ...(m.updates ? { updates: m.updates.map((u) => ({ ...u, message: text(u.message) })) } : {}),
    })),
  };
}

export function buildStatusSnapshot(raw: StatusSnapshotInput, now: Date): StatusSnapshot {
  const input = publicInput(raw);
  const cache = new Map<string, StatusSnapshot>();
  const forCustomer = (customerId: string): StatusSnapshot => {
    let s = cache.get(customerId);
    if (!s) {
      s = build(input, now, customerId, forCustomer);
      // Bounded by the number of customers in the catalog; a snapshot lives until the next change.
      if (cache.size < 10_000) cache.set(customerId, s);
    }
    return s;
  };
  return build(input, now, null, forCustomer);
}

function build(
  input: StatusSnapshotInput,
  now: Date,
  viewer: string | null,
  forCustomer: (customerId: string) => StatusSnapshot,
): StatusSnapshot {
  const nowMs = now.getTime();
  const baseUrl = input.page.url.replace(/\/+$/, '');
  const pageId = input.page.id ?? createHash('sha1').update(baseUrl).digest('hex').slice(0, 12);
  const knownIds = new Set(input.components.map((c) => c.id));
  const nameOf = new Map(input.components.map((c) => [c.id, c.name]));

  const visible = input.incidents.filter(
    (i) => (i.audience ?? 'public') === 'public' || (viewer !== null && i.customers.includes(viewer)),
  );

  const maintenances = input.maintenances
    .flatMap((m) => toMaintenances(m, now, input.page.timeZone, baseUrl, knownIds))
    .sort((a, b) => b.scheduledFor.getTime() - a.scheduledFor.getTime() || a.id.localeCompare(b.id));
  const active = maintenances.filter((m) => m.status === 'in_progress' || m.status === 'verifying');

  const statusIncidents = visible.map((i) => ({
    ...i,
    components: i.components.filter((c) => knownIds.has(c)),
  }));
  const statuses = componentStatuses(
    [...knownIds],
    statusIncidents,
    active.map((m) => ({ components: m.componentIds })),
  );

  const uptimeRefs = visible.map((i) => ({
    id: i.id,
    title: i.title,
    components: i.components,
    openedAt: i.openedAt,
    resolvedAt: i.resolvedAt,
  }));

  const lastChange = new Map<string, number>();
  for (const iv of input.intervals) {
    for (const t of [iv.startedAt.getTime(), iv.endedAt?.getTime()]) {
      if (t !== undefined && t <= nowMs && t > (lastChange.get(iv.componentId) ?? Number.NEGATIVE_INFINITY)) {
        lastChange.set(iv.componentId, t);
      }
    }
  }

  const incidents = visible
    .map((i) => toIncident(i, baseUrl, knownIds, nameOf, viewer))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a.id.localeCompare(b.id));

  const contentTimes = [
    ...incidents.map((i) => i.updatedAt.getTime()),
    ...maintenances.map((m) => m.updatedAt.getTime()),
    ...lastChange.values(),
  ].filter((t) => t <= nowMs);
  const pageUpdatedAt = new Date(contentTimes.length ? Math.max(...contentTimes) : nowMs);

  // Groups keep the order of their first component's position; top-level components sort among them.
  const sortedInputs = [...input.components].sort(
    (a, b) => a.position - b.position || a.id.localeCompare(b.id),
  );
  const groupsByName = new Map<string, SnapshotComponentInput[]>();
  for (const c of sortedInputs) {
    if (!c.group) continue;
    const list = groupsByName.get(c.group) ?? [];
    list.push(c);
    groupsByName.set(c.group, list);
  }

  const components: SnapshotComponent[] = [];
  const groups: SnapshotGroup[] = [];
  const seenGroups = new Set<string>();
  const usedGroupIds = new Set<string>();
  const toComponent = (c: SnapshotComponentInput, groupId: string | null): SnapshotComponent => {
    const own = input.intervals.filter((iv) => iv.componentId === c.id);
    const firstSeen = own.length ? new Date(Math.min(...own.map((iv) => iv.startedAt.getTime()))) : null;
    const createdAt = c.createdAt ?? firstSeen ?? pageUpdatedAt;
    const changed = lastChange.get(c.id);
    const status = statuses.get(c.id) ?? 'operational';
    return {
      id: c.id,
      name: c.name,
      description: c.description ?? null,
      position: c.position,
      groupId,
      status,
      createdAt,
      updatedAt: changed !== undefined ? new Date(changed) : createdAt,
      uptime: withCurrentStatus(
        uptimeBars({
          componentId: c.id,
          intervals: own,
          timeZone: input.page.timeZone,
          now,
          existsSince: c.createdAt ?? firstSeen,
          incidents: uptimeRefs,
        }),
        status,
      ),
    };
  };

  for (const c of sortedInputs) {
    if (!c.group) {
      components.push(toComponent(c, null));
      continue;
    }
    if (seenGroups.has(c.group)) continue;
    seenGroups.add(c.group);
    const groupId = uniqueId(`group-${slug(c.group)}`, usedGroupIds, knownIds);
    const children = (groupsByName.get(c.group) ?? []).map((child) => toComponent(child, groupId));
    components.push(...children);
    groups.push({
      id: groupId,
      name: c.group,
      position: c.position,
      status: worstComponentStatus(children.map((ch) => ch.status)),
      componentIds: children.map((ch) => ch.id),
      createdAt: new Date(Math.min(...children.map((ch) => ch.createdAt.getTime()))),
      updatedAt: new Date(Math.max(...children.map((ch) => ch.updatedAt.getTime()))),
    });
  }

  const content = {
    page: {
      id: pageId,
      name: input.page.title,
      url: baseUrl,
      timeZone: input.page.timeZone,
      updatedAt: pageUpdatedAt,
    },
    status: pageStatus(statuses.values(), statusIncidents),
    components,
    groups,
    incidents,
    maintenances,
    uptimeRule: UPTIME_RULE,
    today: todayIn(input.page.timeZone, nowMs),
    viewer: viewer === null ? null : { customerId: viewer },
  };
  const version = createHash('sha1').update(JSON.stringify(content)).digest('base64url').slice(0, 20);
  const snapshot: StatusSnapshot = { version, generatedAt: now, ...content, forCustomer };
  // Not data: keep it out of JSON.stringify and spreads.
  Object.defineProperty(snapshot, 'forCustomer', { value: forCustomer, enumerable: false });
  return snapshot;
}

/**
 * Today's bar shows the status that holds right now, even when its interval is still too short to count a
 * minute (it just started): a fresh outage must not leave today green.
 */
function withCurrentStatus(uptime: ComponentUptime, status: ComponentStatus): ComponentUptime {
  const today = uptime.days.at(-1);
  if (!today || status === 'operational') return uptime;
  const worst = worseStatus(today.worst ?? 'operational', status);
  if (worst === today.worst) return uptime;
  return { ...uptime, days: [...uptime.days.slice(0, -1), { ...today, noData: false, worst }] };
}

function toIncident(
  i: PublicIncident,
  baseUrl: string,
  knownIds: Set<string>,
  nameOf: Map<string, string>,
  viewer: string | null,
): SnapshotIncident {
  // Ties keep the input's order (newest first): update ids are opaque and say nothing about order.
  const updates = [...i.updates].sort((a, b) => b.at.getTime() - a.at.getTime());
  const firstMonitoring = updates.filter((u) => u.status === 'monitoring').at(-1);
  return {
    id: i.id,
    name: i.title,
    status: i.status,
    impact: incidentImpact(i),
    componentIds: i.components.filter((c) => knownIds.has(c)),
    componentStatus: i.componentStatus,
    createdAt: i.openedAt,
    updatedAt: i.updatedAt,
    startedAt: i.openedAt,
    monitoringAt: firstMonitoring?.at ?? null,
    resolvedAt: i.status === 'resolved' ? (i.resolvedAt ?? updates[0]?.at ?? i.updatedAt) : null,
    shortlink: `${baseUrl}/incidents/${encodeURIComponent(i.id)}`,
    updates: updates.map((u) => ({
      id: u.id,
      status: u.status,
      body: u.message,
      at: u.at,
      affectedComponents: u.affectedComponents?.length
        ? u.affectedComponents
            .filter((a) => knownIds.has(a.id))
            .map((a) => ({
              id: a.id,
              name: nameOf.get(a.id) ?? a.id,
              oldStatus: a.oldStatus,
              newStatus: a.newStatus,
            }))
        : null,
    })),
    affectsViewer: viewer !== null && i.customers.includes(viewer),
  };
}

/** Status from the clock unless given: scheduled, then in_progress, then completed. */
export function maintenanceStatusAt(
  m: Pick<MaintenanceInput, 'status' | 'scheduledFor' | 'scheduledUntil'>,
  nowMs: number,
): MaintenanceStatus {
  return m.status ?? windowStatus({ start: m.scheduledFor, end: m.scheduledUntil }, [], new Date(nowMs));
}

/** One scheduled maintenance per window: a one-off's own, or a recurring series' previous, active and next ones. */
function toMaintenances(
  m: MaintenanceInput,
  now: Date,
  timeZone: string,
  baseUrl: string,
  knownIds: Set<string>,
): SnapshotMaintenance[] {
  const windows = windowsOf(m, timeZone, now);
  return windows.map((w) => {
    const own = m.updates && updatesOfWindow(m.updates, w, Boolean(m.recurrence));
    const id = m.recurrence ? `${m.id}-${w.start.toISOString().replace(/[-:]|\.\d+/g, '')}` : m.id;
    return toMaintenance({ ...m, id, updates: own }, w, now, baseUrl, knownIds);
  });
}

function toMaintenance(
  m: MaintenanceInput,
  w: Window,
  now: Date,
  baseUrl: string,
  knownIds: Set<string>,
): SnapshotMaintenance {
  const nowMs = now.getTime();
  const explicit = explicitUpdates(m.updates ?? []);
  const status = m.status ?? windowStatus(w, explicit, now, m.cancelledAt ?? null);
  const createdAt = m.createdAt ?? m.scheduledFor;
  const updates: SnapshotMaintenanceUpdate[] = m.updates?.length
    ? [...m.updates]
        .sort((a, b) => b.at.getTime() - a.at.getTime() || b.id.localeCompare(a.id))
        .map((u) => ({ id: u.id, status: u.status, body: u.message, at: u.at }))
    : [{ id: `${m.id}-scheduled`, status: 'scheduled', body: m.message, at: createdAt }];
  const cancelledBeforeStart = m.cancelledAt != null && m.cancelledAt.getTime() <= w.start.getTime();
  const started = status === 'scheduled' || cancelledBeforeStart ? null : w.start;
  const resolvedAt =
    status === 'completed'
      ? (updates.find((u) => u.status === 'completed')?.at ??
        new Date(Math.min(w.end.getTime(), m.cancelledAt?.getTime() ?? nowMs, nowMs)))
      : null;
  // Time-driven transitions count as changes, so the version moves when a maintenance starts or ends.
  const times = [createdAt, updates[0]!.at, started, resolvedAt].filter((t): t is Date => t !== null);
  return {
    id: m.id,
    name: m.title,
    status,
    // Statuspage reports maintenances with the incident impact scale; a planned window is not an outage.
    impact: 'none',
    componentIds: m.components.filter((c) => knownIds.has(c)),
    scheduledFor: w.start,
    scheduledUntil: w.end,
    createdAt,
    updatedAt: new Date(Math.max(...times.map((t) => t.getTime()))),
    startedAt: started,
    resolvedAt,
    shortlink: `${baseUrl}/#maintenance-${encodeURIComponent(m.id)}`,
    updates,
  };
}

function todayIn(timeZone: string, nowMs: number): { date: string; startsAt: Date } {
  const d = localDateOf(nowMs, timeZone);
  const date = `${d.y}-${String(d.m).padStart(2, '0')}-${String(d.d).padStart(2, '0')}`;
  return { date, startsAt: new Date(startOfLocalDay(d, timeZone)) };
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'group'
  );
}

function uniqueId(base: string, used: Set<string>, taken: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id) || taken.has(id); n++) id = `${base}-${n}`;
  used.add(id);
  return id;
}
