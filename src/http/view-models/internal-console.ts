import type { Incident } from '../../core/incident.ts';
import { SEVERITIES } from '../../core/severity.ts';
import { isActive, type SlaClock } from '../../core/sla.ts';
import type { DisplayNames } from '../../core/timeline-text.ts';
import type { IncidentWithClocks, UnroutedSummary } from '../../store/internal-queries.ts';
import { countdownText, durationText, type InternalTimeVM, internalTime } from './internal-format.ts';
import type { InternalLayoutVM } from './internal-layout.ts';

/** Data for views/internal/console.eta: ready-to-print strings, sorted, nothing left to decide. */

export const STATE_LABELS: Record<string, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};

export const TARGET_LABELS: Record<string, string> = {
  acknowledge: 'Acknowledge',
  owner: 'Owner',
  update: 'Next update',
  resolve: 'Resolve',
};

export interface ClockVM {
  target: string;
  label: string;
  due: InternalTimeVM;
  /** "4m12s left" / "overdue by 2m" as of rendering; console.js counts down from `due.iso`. */
  text: string;
  /** ok | warning | breached */
  tone: 'ok' | 'warning' | 'breached';
}

export interface OpenIncidentVM {
  id: string;
  href: string;
  title: string;
  severity: string;
  state: string;
  stateLabel: string;
  published: boolean;
  customersText: string;
  ownerText: string;
  alertCount: number;
  opened: InternalTimeVM;
  nextClock: ClockVM | null;
  updateOverdue: boolean;
}

export interface ResolvedIncidentVM {
  id: string;
  href: string;
  title: string;
  severity: string;
  resolved: InternalTimeVM;
  durationText: string;
}

export interface ConsoleData {
  open: IncidentWithClocks[];
  resolved: Incident[];
  unrouted: UnroutedSummary;
  deadLetters: number;
  failingTargets: { name: string; type: string; lastError: string | null; lastErrorAt: Date | null }[];
}

export interface ConsoleVM extends InternalLayoutVM {
  open: OpenIncidentVM[];
  resolved: ResolvedIncidentVM[];
  unrouted: {
    count: number;
    latest: {
      title: string;
      source: string;
      status: string;
      reason: string;
      seen: InternalTimeVM;
      /** Where the "Silence" form posts (silences alerts with exactly these labels). */
      silenceAction: string;
    }[];
  };
  deadLetters: number;
  failingTargets: { name: string; type: string; lastError: string; lastErrorAt: InternalTimeVM | null }[];
  overdueCount: number;
}

/** The clock that runs out first: a breached one first (it already has), then the earliest due. */
export function nextClock(clocks: readonly SlaClock[], now: Date, timeZone: string): ClockVM | null {
  const running = clocks.filter(isActive).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  const c = running[0];
  if (!c) return null;
  const tone = c.breachedAt || c.dueAt <= now ? 'breached' : c.warnedAt || c.warnAt <= now ? 'warning' : 'ok';
  return {
    target: c.target,
    label: TARGET_LABELS[c.target] ?? c.target,
    due: internalTime(c.dueAt, now, timeZone),
    text: countdownText(c.dueAt, now),
    tone,
  };
}

/** A published incident whose update clock ran out: customers are waiting for news. */
export function updateOverdue(i: Incident, clocks: readonly SlaClock[], now: Date): boolean {
  return i.published && clocks.some((c) => c.target === 'update' && isActive(c) && c.dueAt <= now);
}

const rank = (severity: string) => {
  const r = (SEVERITIES as readonly string[]).indexOf(severity);
  return r < 0 ? SEVERITIES.length : r;
};

export function incidentHref(id: string): string {
  return `/internal/incidents/${encodeURIComponent(id)}`;
}

export function consoleView(
  layout: InternalLayoutVM,
  data: ConsoleData,
  names: DisplayNames,
  now: Date,
  timeZone: string,
): ConsoleVM {
  const t = (d: Date) => internalTime(d, now, timeZone);
  // Most severe first; within a severity the oldest first (it has waited longest).
  const open = [...data.open].sort(
    (a, b) =>
      rank(a.incident.severity) - rank(b.incident.severity) ||
      a.incident.openedAt.getTime() - b.incident.openedAt.getTime() ||
      a.incident.id.localeCompare(b.incident.id),
  );
  const openVms = open.map(({ incident: i, clocks }) => ({
    id: i.id,
    href: incidentHref(i.id),
    title: i.title,
    severity: i.severity,
    state: i.state,
    stateLabel: STATE_LABELS[i.state] ?? i.state,
    published: i.published,
    customersText: i.customers.length ? i.customers.map((c) => names.customer(c)).join(', ') : '—',
    ownerText: i.owner ?? 'unassigned',
    alertCount: i.alertCount,
    opened: t(i.openedAt),
    nextClock: nextClock(clocks, now, timeZone),
    updateOverdue: updateOverdue(i, clocks, now),
  }));
  return {
    ...layout,
    open: openVms,
    overdueCount: openVms.filter((v) => v.updateOverdue).length,
    resolved: data.resolved.map((i) => ({
      id: i.id,
      href: incidentHref(i.id),
      title: i.title,
      severity: i.severity,
      resolved: t(i.resolvedAt ?? i.openedAt),
      durationText: durationText((i.resolvedAt ?? i.openedAt).getTime() - i.openedAt.getTime()),
    })),
    unrouted: {
      count: data.unrouted.count,
      latest: data.unrouted.latest.map((a) => ({
        title: a.title,
        source: a.source,
        status: a.status,
        reason: a.reason,
        seen: t(a.lastSeenAt),
        silenceAction: `/internal/alerts/${encodeURIComponent(a.id)}/silence`,
      })),
    },
    deadLetters: data.deadLetters,
    failingTargets: data.failingTargets.map((f) => ({
      name: f.name,
      type: f.type,
      lastError: f.lastError ?? 'unknown error',
      lastErrorAt: f.lastErrorAt ? t(f.lastErrorAt) : null,
    })),
  };
}
