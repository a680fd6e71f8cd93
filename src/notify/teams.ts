import type { Notice } from '../core/notification-routing.ts';

const COLOR: Record<string, string> = { SEV1: 'D32F2F', SEV2: 'F57C00', SEV3: 'FBC02D', SEV4: '1976D2' };

/** A Microsoft Teams incoming-webhook MessageCard (also accepted by Teams workflow webhooks). */
export function formatTeams(notice: Notice, link: string) {
  const i = notice.incident;
  const facts = [
    { name: 'Severity', value: i.severity },
    { name: 'State', value: i.state },
    { name: 'Owner', value: i.owner ?? 'unassigned' },
    ...(i.customers.length ? [{ name: 'Customers', value: i.customers.join(', ') }] : []),
    ...(i.components.length ? [{ name: 'Components', value: i.components.join(', ') }] : []),
  ];
  return {
    '@type': 'MessageCard',
    '@context': 'https://schema.org/extensions',
    summary: notice.headline,
    themeColor: notice.event === 'incident.resolved' ? '2E7D32' : (COLOR[i.severity] ?? '757575'),
    title: notice.headline,
    sections: [{ activityTitle: i.title, activitySubtitle: notice.event, facts }],
    potentialAction: [{ '@type': 'OpenUri', name: 'Open incident', targets: [{ os: 'default', uri: link }] }],
  };
}
