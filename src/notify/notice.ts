import type { Notice, NotificationEvent } from '../core/notification-routing.ts';

/**
 * The one typed notice every target renders: what happened, the incident as it stands, and where to read more.
 * A target is a function of this view (and its own options), so a new target is one small file.
 */
export interface NoticeView
  extends Pick<
    Notice['incident'],
    'title' | 'severity' | 'state' | 'status' | 'customers' | 'components' | 'owner'
  > {
  event: NotificationEvent;
  /** When it happened (ISO 8601). */
  at: string;
  headline: string;
  incidentId: string;
  /** When the next public update is due (ISO 8601), or null. */
  nextUpdateDue: string | null;
  /** A public update's or an internal note's text. */
  message: string | null;
  links: {
    /** The internal timeline (admin sign-in). */
    timeline: string;
    /** The public incident page; null while the incident is not published. */
    public: string | null;
  };
}

export function viewNotice(notice: Notice, publicUrl: string): NoticeView {
  const { id, openedAt: _opened, published, nextUpdateDue, ...incident } = notice.incident;
  const base = publicUrl.replace(/\/+$/, '');
  return {
    ...incident,
    event: notice.event,
    at: notice.at,
    headline: notice.headline,
    incidentId: id,
    nextUpdateDue: nextUpdateDue ?? null,
    message: notice.message ?? null,
    links: {
      timeline: `${base}/internal/incidents/${encodeURIComponent(id)}`,
      public: published ? `${base}/incidents/${encodeURIComponent(id)}` : null,
    },
  };
}

/** `2026-11-01 10:30 UTC`: readable in every client, whatever its time zone support. */
export function formatTime(iso: string | null): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The facts every card and message shows, in order; empty values left out. */
export function noticeFacts(v: NoticeView): { name: string; value: string }[] {
  const next = formatTime(v.nextUpdateDue);
  return [
    { name: 'Severity', value: v.severity },
    { name: 'Status', value: v.status },
    { name: 'State', value: v.state },
    { name: 'Owner', value: v.owner ?? 'unassigned' },
    ...(v.customers.length ? [{ name: 'Customers', value: v.customers.join(', ') }] : []),
    ...(v.components.length ? [{ name: 'Components', value: v.components.join(', ') }] : []),
    ...(next && v.state !== 'resolved' ? [{ name: 'Next update', value: next }] : []),
  ];
}
