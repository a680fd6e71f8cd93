import { type NoticeView, noticeFacts } from './notice.ts';

const COLOR: Record<string, string> = { SEV1: 'D32F2F', SEV2: 'F57C00', SEV3: 'FBC02D', SEV4: '1976D2' };
/** Adaptive Card TextBlock colours (named, not hex). */
const CARD_COLOR: Record<string, string> = {
  SEV1: 'Attention',
  SEV2: 'Attention',
  SEV3: 'Warning',
  SEV4: 'Accent',
};

export type TeamsFormat = 'adaptive' | 'messagecard';

/** A Teams body: an Adaptive Card for Workflows (default), or the retired connectors' MessageCard. */
export function formatTeams(v: NoticeView, format: TeamsFormat = 'adaptive') {
  return format === 'messagecard' ? messageCard(v) : adaptiveCardMessage(v);
}

/** What a Teams Workflows webhook ("When a Teams webhook request is received") expects: a message with a card. */
export function adaptiveCardMessage(v: NoticeView) {
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: adaptiveCard(v) },
    ],
  };
}

/** The Adaptive Card 1.4 (the version Teams renders everywhere): headline, facts, update text, links. */
export function adaptiveCard(v: NoticeView) {
  const resolved = v.event === 'incident.resolved';
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      {
        type: 'TextBlock',
        text: v.headline,
        size: 'Medium',
        weight: 'Bolder',
        wrap: true,
        color: resolved ? 'Good' : (CARD_COLOR[v.severity] ?? 'Default'),
      },
      { type: 'FactSet', facts: noticeFacts(v).map((f) => ({ title: f.name, value: f.value })) },
      ...(v.message && v.event === 'update.posted'
        ? [{ type: 'TextBlock', text: v.message, wrap: true }]
        : []),
      { type: 'TextBlock', text: `${v.event} · ${v.incidentId}`, isSubtle: true, size: 'Small', wrap: true },
    ],
    actions: [
      { type: 'Action.OpenUrl', title: 'Open timeline', url: v.links.timeline },
      ...(v.links.public ? [{ type: 'Action.OpenUrl', title: 'Status page', url: v.links.public }] : []),
    ],
    msteams: { width: 'Full' },
  };
}

/** An Office 365 connector MessageCard, kept for `format: messagecard` (old connector installs). */
function messageCard(v: NoticeView) {
  return {
    '@type': 'MessageCard',
    '@context': 'https://schema.org/extensions',
    summary: v.headline,
    themeColor: v.event === 'incident.resolved' ? '2E7D32' : (COLOR[v.severity] ?? '757575'),
    title: v.headline,
    sections: [{ activityTitle: v.title, activitySubtitle: v.event, facts: noticeFacts(v) }],
    potentialAction: [
      { '@type': 'OpenUri', name: 'Open incident', targets: [{ os: 'default', uri: v.links.timeline }] },
      ...(v.links.public
        ? [{ '@type': 'OpenUri', name: 'Status page', targets: [{ os: 'default', uri: v.links.public }] }]
        : []),
    ],
  };
}
