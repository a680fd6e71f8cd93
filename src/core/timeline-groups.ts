import { type AlertEventKind, type IncidentEventKind, isAlertEvent, type TimelineEntry } from './timeline.ts';

/**
 * The internal timeline as rows a person can read: bursts of alert events collapse into one row
 * ("37 alerts attached"), everything else stays one row per event. Pure: events in, rows out.
 */

/** Alert events within this span of a burst's first one belong to the burst. */
const BURST_MS = 60_000;

export interface BurstCounts {
  attached: number;
  firing: number;
  resolved: number;
}

export type TimelineRow =
  | { type: 'event'; event: TimelineEntry }
  | { type: 'burst'; events: TimelineEntry<AlertEventKind>[]; counts: BurstCounts };

export const rowFirst = (r: TimelineRow): TimelineEntry => (r.type === 'event' ? r.event : r.events[0]!);
export const rowLast = (r: TimelineRow): TimelineEntry => (r.type === 'event' ? r.event : r.events.at(-1)!);

/**
 * Consecutive alert events no further than `burstMs` from the first of their run form one burst row; a
 * run of one stays a plain event. Anchoring on the first event (not the previous one) keeps a steady
 * trickle from merging into one endless row.
 */
export function groupTimeline(events: readonly TimelineEntry[], burstMs = BURST_MS): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let run: TimelineEntry<AlertEventKind>[] = [];
  const flush = () => {
    if (run.length === 1) rows.push({ type: 'event', event: run[0]! });
    else if (run.length > 1) rows.push({ type: 'burst', events: run, counts: countKinds(run) });
    run = [];
  };
  for (const e of events) {
    if (!isAlertEvent(e)) {
      flush();
      rows.push({ type: 'event', event: e });
      continue;
    }
    if (run.length > 0 && e.at.getTime() - run[0]!.at.getTime() > burstMs) flush();
    run.push(e);
  }
  flush();
  return rows;
}

function countKinds(events: readonly TimelineEntry[]): BurstCounts {
  const counts: BurstCounts = { attached: 0, firing: 0, resolved: 0 };
  for (const e of events) {
    if (e.kind === 'alert.attached') counts.attached++;
    else if (e.kind === 'alert.firing') counts.firing++;
    else counts.resolved++;
  }
  return counts;
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** "37 alerts attached"; mixed bursts: "40 alert changes: 37 attached, 3 resolved". */
export function burstLabel(counts: BurstCounts): string {
  const parts = (
    [
      ['attached', counts.attached],
      ['firing again', counts.firing],
      ['resolved', counts.resolved],
    ] as const
  ).filter(([, n]) => n > 0);
  if (parts.length === 1) return `${plural(parts[0]![1], 'alert')} ${parts[0]![0]}`;
  const total = counts.attached + counts.firing + counts.resolved;
  return `${plural(total, 'alert change')}: ${parts.map(([w, n]) => `${n.toLocaleString('en-US')} ${w}`).join(', ')}`;
}

/** Filters offered on the timeline page: a name in the query string and the event kinds it shows. */
export const TIMELINE_FILTERS = {
  alerts: { label: 'Alerts', kinds: ['alert.attached', 'alert.firing', 'alert.resolved'] },
  customers: { label: 'Customers', kinds: ['customer.added'] },
  severity: { label: 'Severity', kinds: ['severity.changed'] },
  response: { label: 'Response', kinds: ['acknowledged', 'owner.assigned'] },
  updates: { label: 'Public updates', kinds: ['update.posted', 'published'] },
  notes: { label: 'Notes', kinds: ['note.added'] },
  sla: { label: 'SLA', kinds: ['sla.warning', 'sla.breached', 'sla.met'] },
  notifications: { label: 'Notifications', kinds: ['notification.sent', 'notification.failed'] },
  lifecycle: { label: 'Lifecycle', kinds: ['opened', 'resolved', 'reopened', 'component.status'] },
} as const satisfies Record<string, { label: string; kinds: readonly IncidentEventKind[] }>;

export type TimelineFilter = keyof typeof TIMELINE_FILTERS;

export function isTimelineFilter(value: unknown): value is TimelineFilter {
  return typeof value === 'string' && Object.hasOwn(TIMELINE_FILTERS, value);
}
