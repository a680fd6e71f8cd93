import type { Notice } from '../core/notification-routing.ts';

/** Generic JSON: the notice as is, versioned, with a link to the incident. */
export function formatWebhook(notice: Notice, link: string) {
  return {
    version: 1,
    event: notice.event,
    also: notice.alsoKnownAs,
    escalation: notice.escalation,
    at: notice.at,
    headline: notice.headline,
    url: link,
    incident: notice.incident,
    details: notice.details,
  };
}
