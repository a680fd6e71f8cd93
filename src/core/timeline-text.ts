import type { PublicStatus } from './incident.ts';
import type { EventDataByKind, TimelineEntry } from './timeline.ts';

/**
 * Plain-text wording of timeline events, shared by the internal timeline page and review.md so both tell
 * the same story. Pure; callers escape for their format.
 */

export interface DisplayNames {
  customer(id: string): string;
  component(id: string): string;
}

export interface EventText {
  title: string;
  /** The message, reason or error, when the event has one. */
  detail: string | null;
}

export const STATUS_LABELS: Record<PublicStatus, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
};

/** "SEV2 -> SEV1: 3 customers affected" → "3 customers affected" (the title already says from → to). */
function severityReason(reason: string | null): string | null {
  if (!reason) return null;
  const m = /^SEV\d\s*->\s*SEV\d:\s*(.*)$/s.exec(reason);
  return m ? m[1]! : reason;
}

function openedText(d: EventDataByKind['opened'], actor: string): EventText {
  if (d.declared === true) return { title: `Declared by ${actor} as ${d.severity}`, detail: null };
  const n = d.alertCount;
  return {
    title: `Opened by rule ${d.rule} as ${d.severity}`,
    detail: `${n} ${n === 1 ? 'alert' : 'alerts'} in the group`,
  };
}

/** Only the last alert resolving says anything: the incident may now resolve itself. */
function alertResolvedDetail(d: EventDataByKind['alert.resolved'], when: (iso: string) => string) {
  if (d.firing !== 0) return null;
  return d.autoResolveAt
    ? `No alert firing; resolves itself at ${when(d.autoResolveAt)} unless one fires`
    : 'No alert firing';
}

function reopenedDetail(d: EventDataByKind['reopened']) {
  if (d.reason === 'flap') return `an alert fired again within the window (flap ${d.flapCount ?? ''})`;
  return d.reason;
}

function notificationFailedText(d: EventDataByKind['notification.failed']): EventText {
  return {
    title: `Notification to ${d.target} failed (${d.event}, attempt ${d.attempt})`,
    detail: [d.error, d.gaveUp ? 'gave up' : null].filter(Boolean).join('; ') || null,
  };
}

/** `time` formats instants found in event data (due times); ISO 8601 by default. */
export function describeEvent(
  e: TimelineEntry,
  names: DisplayNames,
  time: (d: Date) => string = (d) => d.toISOString(),
): EventText {
  const when = (iso: string): string => {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : time(date);
  };
  switch (e.kind) {
    case 'opened':
      return openedText(e.data, e.actor);
    case 'alert.attached':
      return { title: `Alert ${e.data.alertname ?? e.data.alertId} attached`, detail: null };
    case 'alert.firing':
      return { title: `Alert ${e.data.fingerprint} firing again`, detail: null };
    case 'alert.resolved':
      return { title: `Alert ${e.data.fingerprint} resolved`, detail: alertResolvedDetail(e.data, when) };
    case 'customer.added':
      return { title: `Customer affected: ${names.customer(e.data.customer)}`, detail: e.data.reason };
    case 'severity.changed':
      return { title: `Severity ${e.data.from} → ${e.data.to}`, detail: severityReason(e.data.reason) };
    case 'component.status': {
      const ids = e.data.components ?? [];
      return {
        title: `Component status: ${e.data.status ?? e.data.componentStatus ?? 'changed'}`,
        detail: ids.length ? ids.map((id) => names.component(id)).join(', ') : null,
      };
    }
    case 'acknowledged':
      return { title: `Acknowledged by ${e.actor}`, detail: null };
    case 'owner.assigned': {
      const { owner, previous } = e.data;
      return {
        title: `Owner: ${owner}`,
        detail: previous ? `was ${previous}; assigned by ${e.actor}` : `assigned by ${e.actor}`,
      };
    }
    case 'update.posted':
      return { title: `Public update: ${STATUS_LABELS[e.data.status]}`, detail: e.data.message || null };
    case 'note.added':
      return { title: `Internal note by ${e.actor}`, detail: e.data.message || null };
    case 'published':
      return { title: 'Published on the status page', detail: e.data.reason || null };
    case 'resolved':
      return { title: `Resolved (${e.actor})`, detail: e.data.reason || null };
    case 'reopened':
      return { title: `Reopened (${e.actor})`, detail: reopenedDetail(e.data) };
    case 'sla.warning':
      return {
        title: `SLA warning: ${e.data.target} due in ${e.data.remaining}`,
        detail: `${e.data.tier} tier, due ${when(e.data.dueAt)}`,
      };
    case 'sla.breached':
      return {
        title: `SLA breached: ${e.data.target} overdue by ${e.data.overdueBy}`,
        detail: `${e.data.tier} tier, was due ${when(e.data.dueAt)}`,
      };
    case 'sla.met':
      return {
        title: `SLA ${e.data.late ? 'met late' : 'met'}: ${e.data.target} in ${e.data.took}`,
        detail: `${e.data.tier} tier`,
      };
    case 'notification.sent':
      return { title: `Notification sent to ${e.data.target} (${e.data.event})`, detail: null };
    case 'notification.failed':
      return notificationFailedText(e.data);
  }
}
