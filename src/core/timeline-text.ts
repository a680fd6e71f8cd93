import type { TimelineEntry } from './timeline-groups.ts';

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

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);

export const STATUS_LABELS: Record<string, string> = {
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

/** `time` formats instants found in event data (due times); ISO 8601 by default. */
export function describeEvent(
  e: TimelineEntry,
  names: DisplayNames,
  time: (d: Date) => string = (d) => d.toISOString(),
): EventText {
  const d = e.data;
  const when = (v: unknown): string | null => {
    const text = str(v);
    const date = text ? new Date(text) : null;
    return date && !Number.isNaN(date.getTime()) ? time(date) : text;
  };
  switch (e.kind) {
    case 'opened': {
      if (d.declared === true)
        return { title: `Declared by ${e.actor} as ${str(d.severity) ?? '?'}`, detail: null };
      const n = typeof d.alertCount === 'number' ? d.alertCount : null;
      return {
        title: `Opened by rule ${str(d.rule) ?? e.actor} as ${str(d.severity) ?? '?'}`,
        detail: n === null ? null : `${n} ${n === 1 ? 'alert' : 'alerts'} in the group`,
      };
    }
    case 'alert.attached':
      return { title: `Alert ${str(d.alertname) ?? str(d.alertId) ?? ''} attached`.trim(), detail: null };
    case 'alert.firing':
      return { title: `Alert ${str(d.fingerprint) ?? str(d.alertId) ?? ''} firing again`, detail: null };
    case 'alert.resolved': {
      let detail: string | null = null;
      if (d.firing === 0) {
        const at = when(d.autoResolveAt);
        detail = at ? `No alert firing; resolves itself at ${at} unless one fires` : 'No alert firing';
      }
      return { title: `Alert ${str(d.fingerprint) ?? str(d.alertId) ?? ''} resolved`, detail };
    }
    case 'customer.added':
      return { title: `Customer affected: ${names.customer(str(d.customer) ?? '?')}`, detail: str(d.reason) };
    case 'severity.changed':
      return {
        title: `Severity ${str(d.from) ?? '?'} → ${str(d.to) ?? '?'}`,
        detail: severityReason(str(d.reason)),
      };
    case 'component.status': {
      const ids = strs(d.components);
      return {
        title: `Component status: ${str(d.status) ?? str(d.componentStatus) ?? 'changed'}`,
        detail: ids.length ? ids.map((id) => names.component(id)).join(', ') : null,
      };
    }
    case 'acknowledged':
      return { title: `Acknowledged by ${e.actor}`, detail: null };
    case 'owner.assigned': {
      const previous = str(d.previous);
      return {
        title: `Owner: ${str(d.owner) ?? '?'}`,
        detail: previous ? `was ${previous}; assigned by ${e.actor}` : `assigned by ${e.actor}`,
      };
    }
    case 'update.posted': {
      const status = str(d.status) ?? '';
      return { title: `Public update: ${STATUS_LABELS[status] ?? status}`, detail: str(d.message) };
    }
    case 'note.added':
      return { title: `Internal note by ${e.actor}`, detail: str(d.message) };
    case 'published':
      return { title: 'Published on the status page', detail: str(d.reason) };
    case 'resolved':
      return { title: `Resolved (${e.actor})`, detail: str(d.reason) };
    case 'reopened': {
      const reason = str(d.reason);
      return {
        title: `Reopened (${e.actor})`,
        detail:
          reason === 'flap' ? `an alert fired again within the window (flap ${d.flapCount ?? ''})` : reason,
      };
    }
    case 'sla.warning':
      return {
        title: `SLA warning: ${str(d.target) ?? '?'} due in ${str(d.remaining) ?? '?'}`,
        detail: `${str(d.tier) ?? '?'} tier, due ${when(d.dueAt) ?? '?'}`,
      };
    case 'sla.breached':
      return {
        title: `SLA breached: ${str(d.target) ?? '?'} overdue by ${str(d.overdueBy) ?? '0s'}`,
        detail: `${str(d.tier) ?? '?'} tier, was due ${when(d.dueAt) ?? '?'}`,
      };
    case 'sla.met':
      return {
        title: `SLA ${d.late === true ? 'met late' : 'met'}: ${str(d.target) ?? '?'} in ${str(d.took) ?? '?'}`,
        detail: `${str(d.tier) ?? '?'} tier`,
      };
    case 'notification.sent':
      return { title: `Notification sent to ${str(d.target) ?? '?'} (${str(d.event) ?? '?'})`, detail: null };
    case 'notification.failed':
      return {
        title: `Notification to ${str(d.target) ?? '?'} failed (${str(d.event) ?? '?'}, attempt ${d.attempt ?? '?'})`,
        detail: [str(d.error), d.gaveUp === true ? 'gave up' : null].filter(Boolean).join('; ') || null,
      };
    default:
      return { title: e.kind, detail: null };
  }
}
