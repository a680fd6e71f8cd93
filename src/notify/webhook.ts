import type { Notice } from '../core/notification-routing.ts';
import type { NoticeView } from './notice.ts';

/** Generic JSON: the notice as is, versioned, with links to the incident (`url`: the internal timeline). */
export function formatWebhook(notice: Notice, view: NoticeView) {
  return {
    version: 1,
    event: notice.event,
    also: notice.alsoKnownAs,
    escalation: notice.escalation,
    at: notice.at,
    headline: notice.headline,
    message: view.message,
    url: view.links.timeline,
    links: view.links,
    incident: notice.incident,
    details: notice.details,
  };
}
