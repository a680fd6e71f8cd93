import { formatDuration } from '../../core/duration.ts';
import { type Incident, PUBLIC_STATUSES } from '../../core/incident.ts';
import { keyNumbers, type SlaOutcomeState, slaPerCustomer } from '../../core/incident-numbers.ts';
import { SEVERITIES } from '../../core/severity.ts';
import type { SlaClock, SlaSettings } from '../../core/sla.ts';
import { type IncidentEventKind, isAlertEvent, type TimelineEntry } from '../../core/timeline.ts';
import {
  burstLabel,
  rowFirst,
  rowLast,
  TIMELINE_FILTERS,
  type TimelineFilter,
  type TimelineRow,
} from '../../core/timeline-groups.ts';
import { type DisplayNames, describeEvent, STATUS_LABELS } from '../../core/timeline-text.ts';
import { type ClockVM, incidentHref, nextClock, STATE_LABELS, updateOverdue } from './internal-console.ts';
import { durationText, type InternalTimeVM, internalTime } from './internal-format.ts';
import type { InternalLayoutVM } from './internal-layout.ts';

/** Data for views/internal/incident.eta: header, summary band, SLA per customer, actions, timeline rows. */

/** Alerts listed inside one expanded burst; the rest are counted. */
export const BURST_LIST_MAX = 20;

export interface BurstAlertVM {
  name: string;
  title: string;
  status: string;
  kind: string;
}

export interface RowVM {
  anchor: string;
  kind: string;
  /** CSS modifier: the event's family (alerts, updates, notes, sla…). */
  family: string;
  isPublic: boolean;
  title: string;
  detail: string | null;
  actor: string;
  time: InternalTimeVM;
  /** "T+4m12s" from the opening. */
  offset: string;
  burst: { label: string; until: InternalTimeVM | null; alerts: BurstAlertVM[]; more: number } | null;
}

export interface LinkVM {
  label: string;
  href: string;
  current: boolean;
}

export interface TimelinePage {
  rows: TimelineRow[];
  order: 'oldest' | 'newest';
  filter: TimelineFilter | null;
  /** Event id to continue from, when more rows follow. */
  nextCursor: number | null;
  /** True when this is not the first page (offer a way back to the start). */
  continued: boolean;
}

export interface TimelinePageVM extends InternalLayoutVM {
  incident: {
    id: string;
    title: string;
    severity: string;
    state: string;
    stateLabel: string;
    status: string;
    statusLabel: string;
    published: boolean;
    resolved: boolean;
    ownerText: string;
    customersText: string;
    componentsText: string;
    origin: string;
    alertCount: number;
    opened: InternalTimeVM;
    resolvedAt: InternalTimeVM | null;
    publicHref: string | null;
    reviewHref: string;
    actionBase: string;
    href: string;
  };
  nextClock: ClockVM | null;
  updateOverdue: boolean;
  numbers: { label: string; value: string; at: InternalTimeVM | null }[];
  sla: { customer: string; tier: string; cells: { label: string; tone: SlaOutcomeState; text: string }[] }[];
  slaColumns: string[];
  filters: LinkVM[];
  orders: LinkVM[];
  rows: RowVM[];
  moreHref: string | null;
  startHref: string | null;
  emptyText: string;
  severities: { value: string; selected: boolean }[];
  statuses: { value: string; label: string; selected: boolean }[];
  nextUpdateOptions: { value: string; label: string }[];
  error: string | null;
}

const FAMILY: Partial<Record<IncidentEventKind, string>> = {};
for (const [name, f] of Object.entries(TIMELINE_FILTERS)) for (const k of f.kinds) FAMILY[k] = name;

const SLA_COLUMNS = { acknowledge: 'Acknowledge', owner: 'Owner', update: 'Updates', resolve: 'Resolve' };

const OUTCOME_LABEL: Record<SlaOutcomeState, string> = {
  met: 'met',
  missed: 'missed',
  pending: 'pending',
  not_needed: 'not needed',
};

function timelineQuery(
  base: string,
  p: { filter: TimelineFilter | null; order: 'oldest' | 'newest'; cursor?: number | null },
) {
  const q = new URLSearchParams();
  if (p.filter) q.set('kind', p.filter);
  if (p.order === 'newest') q.set('order', 'newest');
  if (p.cursor !== undefined && p.cursor !== null)
    q.set(p.order === 'newest' ? 'before' : 'after', String(p.cursor));
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}

export interface TimelineViewInput {
  layout: InternalLayoutVM;
  incident: Incident;
  clocks: SlaClock[];
  /** Events the summary band needs (opened, acknowledged, owner, updates), oldest first. */
  keyEvents: TimelineEntry[];
  page: TimelinePage;
  alerts: Map<string, { title: string; status: string; source: string }>;
  names: DisplayNames;
  sla: SlaSettings;
  now: Date;
  timeZone: string;
  error?: string | null;
}

export function timelinePageView(input: TimelineViewInput): TimelinePageVM {
  const { incident: i, now, timeZone, names, page } = input;
  const t = (d: Date) => internalTime(d, now, timeZone);
  const href = incidentHref(i.id);

  const rows: RowVM[] = page.rows.map((row) => {
    const first = rowFirst(row);
    const base = {
      anchor: `event-${first.id}`,
      time: t(first.at),
      offset: `T+${formatDuration(Math.max(0, first.at.getTime() - i.openedAt.getTime()))}`,
    };
    if (row.type === 'burst') {
      const alerts = row.events.slice(0, BURST_LIST_MAX).map((e) => {
        const a = e.data.alertId;
        const found = input.alerts.get(a);
        const alertname = e.kind === 'alert.attached' ? e.data.alertname : undefined;
        return {
          name: alertname ?? found?.source ?? 'alert',
          title: found?.title ?? a,
          status: found?.status ?? '',
          kind: e.kind.replace('alert.', ''),
        };
      });
      return {
        ...base,
        kind: 'alert.burst',
        family: 'alerts',
        isPublic: false,
        title: burstLabel(row.counts),
        detail: null,
        actor: first.actor,
        burst: {
          label: burstLabel(row.counts),
          until: rowLast(row).at.getTime() === first.at.getTime() ? null : t(rowLast(row).at),
          alerts,
          more: Math.max(0, row.events.length - BURST_LIST_MAX),
        },
      };
    }
    const e = row.event;
    const text = describeEvent(e, names, (d) => t(d).text);
    const alert = isAlertEvent(e) ? input.alerts.get(e.data.alertId) : undefined;
    return {
      ...base,
      kind: e.kind,
      family: FAMILY[e.kind] ?? 'other',
      isPublic: e.visibility === 'public',
      title: text.title,
      detail: alert ? [alert.title, text.detail].filter(Boolean).join(' · ') : text.detail,
      actor: e.actor,
      burst: null,
    };
  });

  const filters: LinkVM[] = [
    {
      label: 'All',
      href: timelineQuery(href, { filter: null, order: page.order }),
      current: page.filter === null,
    },
    ...Object.entries(TIMELINE_FILTERS).map(([name, f]) => ({
      label: f.label,
      href: timelineQuery(href, { filter: name as TimelineFilter, order: page.order }),
      current: page.filter === name,
    })),
  ];
  const orders: LinkVM[] = (['oldest', 'newest'] as const).map((order) => ({
    label: order === 'oldest' ? 'Oldest first' : 'Newest first',
    href: timelineQuery(href, { filter: page.filter, order }),
    current: page.order === order,
  }));

  const sla = slaPerCustomer(input.sla, i, input.keyEvents, now).map((c) => ({
    customer: c.customer === null ? 'No customer (default tier)' : names.customer(c.customer),
    tier: c.tier,
    cells: c.targets.map((target) => ({
      label: SLA_COLUMNS[target.target],
      tone: target.state,
      text:
        target.target === 'update'
          ? `${OUTCOME_LABEL[target.state]} · longest wait ${formatDuration(target.actualMs ?? 0)} / every ${formatDuration(target.promisedMs)}`
          : `${OUTCOME_LABEL[target.state]}${target.actualMs === null ? '' : ` · ${formatDuration(target.actualMs)}`} / ${formatDuration(target.promisedMs)}`,
    })),
  }));

  return {
    ...input.layout,
    incident: {
      id: i.id,
      title: i.title,
      severity: i.severity,
      state: i.state,
      stateLabel: STATE_LABELS[i.state] ?? i.state,
      status: i.status,
      statusLabel: STATUS_LABELS[i.status] ?? i.status,
      published: i.published,
      resolved: i.state === 'resolved',
      ownerText: i.owner ?? 'unassigned',
      customersText: i.customers.length ? i.customers.map((c) => names.customer(c)).join(', ') : 'none',
      componentsText: i.components.length ? i.components.map((c) => names.component(c)).join(', ') : 'none',
      origin: i.rule ? `rule ${i.rule}` : 'declared by hand',
      alertCount: i.alertCount,
      opened: t(i.openedAt),
      resolvedAt: i.resolvedAt ? t(i.resolvedAt) : null,
      publicHref: i.published ? `/incidents/${encodeURIComponent(i.id)}` : null,
      reviewHref: `${href}/review.md`,
      actionBase: href,
      href,
    },
    nextClock: i.state === 'resolved' ? null : nextClock(input.clocks, now, timeZone),
    updateOverdue: i.state !== 'resolved' && updateOverdue(i, input.clocks, now),
    numbers: keyNumbers(i, input.keyEvents).map((k) => ({
      label: k.label,
      value: durationText(k.ms),
      at: k.at ? t(k.at) : null,
    })),
    sla,
    slaColumns: Object.values(SLA_COLUMNS),
    filters,
    orders,
    rows,
    moreHref:
      page.nextCursor === null
        ? null
        : timelineQuery(href, { filter: page.filter, order: page.order, cursor: page.nextCursor }),
    startHref: page.continued ? timelineQuery(href, { filter: page.filter, order: page.order }) : null,
    emptyText: page.filter ? `No ${TIMELINE_FILTERS[page.filter].label.toLowerCase()} events.` : 'No events.',
    severities: SEVERITIES.map((value) => ({ value, selected: value === i.severity })),
    statuses: PUBLIC_STATUSES.map((value) => ({
      value,
      label: STATUS_LABELS[value] ?? value,
      selected: value === (i.status === 'resolved' ? 'investigating' : i.status),
    })),
    nextUpdateOptions: [
      { value: '', label: 'Policy default' },
      { value: '15m', label: '15 min' },
      { value: '30m', label: '30 min' },
      { value: '1h', label: '1 hour' },
      { value: '2h', label: '2 hours' },
      { value: '4h', label: '4 hours' },
    ],
    error: input.error ?? null,
  };
}
