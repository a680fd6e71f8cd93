import type { Notice, NotificationTarget } from '../core/notification-routing.ts';
import { viewNotice } from './notice.ts';
import { formatPagerDuty } from './pagerduty.ts';
import { formatSlack } from './slack.ts';
import { formatTeams } from './teams.ts';
import { formatWebhook } from './webhook.ts';

/** The JSON body POSTed to the target's URL; null for types delivered by their own client (datadog, slack bot). */
export function formatNotice(target: NotificationTarget, notice: Notice, publicUrl: string): unknown {
  const view = viewNotice(notice, publicUrl);
  if (target.type === 'slack') return formatSlack(view);
  if (target.type === 'teams') return formatTeams(view, target.format);
  if (target.type === 'webhook') return formatWebhook(notice, view);
  if (target.type === 'pagerduty' && target.routing_key) return formatPagerDuty(view, target.routing_key);
  return null;
}
