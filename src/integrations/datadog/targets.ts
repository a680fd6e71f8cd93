import type { NotificationTarget } from '../../core/notification-routing.ts';

/** The implicit target's name when DD_API_KEY is set and the catalog declares no datadog target. */
const IMPLICIT_DATADOG_TARGET = 'datadog';

/**
 * The notification targets that receive notices. With the Datadog integration on, a catalog target of
 * `type: datadog` chooses which events go to Datadog; without one, an implicit target posts openings,
 * severity raises and resolutions. With it off, datadog targets get nothing (they are listed as
 * not_configured).
 */
export function notificationTargets(
  catalog: readonly NotificationTarget[],
  datadogEnabled: boolean,
): NotificationTarget[] {
  if (!datadogEnabled) return catalog.filter((t) => t.type !== 'datadog');
  if (catalog.some((t) => t.type === 'datadog' || t.name === IMPLICIT_DATADOG_TARGET)) return [...catalog];
  return [
    ...catalog,
    {
      name: IMPLICIT_DATADOG_TARGET,
      type: 'datadog',
      events: ['incident.opened', 'severity.raised', 'incident.resolved'],
      min_severity: 'SEV4',
      escalation: false,
    },
  ];
}
