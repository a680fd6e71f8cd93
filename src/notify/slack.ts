import { type NoticeView, noticeFacts } from './notice.ts';

/** Slack mrkdwn treats &, < and > as markup. */
export const escapeSlack = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const link = (url: string, label: string) => `<${url}|${escapeSlack(label)}>`;

function linkLine(v: NoticeView): string {
  return [
    link(v.links.timeline, `timeline ${v.incidentId}`),
    ...(v.links.public ? [link(v.links.public, 'status page')] : []),
  ].join(' · ');
}

/**
 * The incident as one Slack message (`text` for notifications and clients without blocks, plus blocks): the body
 * of an incoming webhook, and the message a bot posts once and updates in place.
 */
export function formatSlack(v: NoticeView, headline = v.headline) {
  return {
    text: `${escapeSlack(headline)} ${link(v.links.timeline, v.incidentId)}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(headline)}*` } },
      {
        type: 'section',
        fields: noticeFacts(v).map((f) => ({ type: 'mrkdwn', text: `*${f.name}:* ${escapeSlack(f.value)}` })),
      },
      ...(v.message && v.event === 'update.posted'
        ? [
            {
              type: 'section',
              text: { type: 'mrkdwn', text: `>${escapeSlack(v.message).replace(/\n/g, '\n>')}` },
            },
          ]
        : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${v.event} · ${linkLine(v)}` }] },
    ],
  };
}

/** A bot's message shows the incident as it stands (`SEV2 acknowledged: …`), not the latest event. */
export function incidentHeadline(v: NoticeView): string {
  return v.state === 'resolved' ? `Resolved: ${v.title}` : `${v.severity} ${v.state}: ${v.title}`;
}

/** A thread reply under a bot's incident message: a public update, an internal note, or an event's headline. */
export function formatSlackReply(v: NoticeView): { text: string } {
  if (v.event === 'update.posted') {
    return { text: `*Public update* (${escapeSlack(v.status)}): ${escapeSlack(v.message ?? '')}` };
  }
  if (v.event === 'note.added') return { text: `*Internal note:* ${escapeSlack(v.message ?? '')}` };
  return { text: escapeSlack(v.headline) };
}
