import type { Severity } from '../core/severity.ts';
import type { NoticeView } from './notice.ts';

const PD_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = {
  SEV1: 'critical',
  SEV2: 'error',
  SEV3: 'warning',
  SEV4: 'info',
};

/** PagerDuty caps `payload.summary` at 1024 characters. */
const SUMMARY_MAX = 1024;

/**
 * A PagerDuty Events API v2 event: `acknowledge` and `resolve` for those notices, `trigger` for everything else
 * (an opening, a raise, a reopen; a trigger with an open alert's dedup_key adds to that alert). The dedup_key
 * is the incident id, so one incident is one PagerDuty alert. custom_details is an allow-list of the
 * incident's fields: no tokens, no access keys, no alert labels.
 */
export function formatPagerDuty(v: NoticeView, routingKey: string) {
  const dedup = { routing_key: routingKey, dedup_key: v.incidentId };
  if (v.event === 'incident.acknowledged') return { ...dedup, event_action: 'acknowledge' as const };
  if (v.event === 'incident.resolved') return { ...dedup, event_action: 'resolve' as const };
  const summary = v.headline.length > SUMMARY_MAX ? `${v.headline.slice(0, SUMMARY_MAX - 1)}…` : v.headline;
  return {
    ...dedup,
    event_action: 'trigger' as const,
    client: 'incidentd',
    client_url: v.links.timeline,
    payload: {
      summary,
      severity: PD_SEVERITY[v.severity],
      source: v.components.length ? v.components.join(', ') : 'incidentd',
      timestamp: v.at,
      ...(v.components[0] ? { component: v.components[0] } : {}),
      class: v.event,
      custom_details: {
        incident_id: v.incidentId,
        title: v.title,
        severity: v.severity,
        state: v.state,
        status: v.status,
        customers: v.customers,
        components: v.components,
        owner: v.owner,
        next_update_due: v.nextUpdateDue,
      },
    },
    links: [
      { href: v.links.timeline, text: 'Internal timeline' },
      ...(v.links.public ? [{ href: v.links.public, text: 'Public status page' }] : []),
    ],
  };
}
