import type { Notice, NotificationTarget } from '../core/notification-routing.ts';
import { formatSlack } from './slack.ts';
import { formatTeams } from './teams.ts';
import { formatWebhook } from './webhook.ts';

/** The request body for a target type; null for types without a sender in this build. */
export function formatNotice(type: NotificationTarget['type'], notice: Notice, link: string): unknown {
  if (type === 'slack') return formatSlack(notice, link);
  if (type === 'teams') return formatTeams(notice, link);
  if (type === 'webhook') return formatWebhook(notice, link);
  return null;
}
