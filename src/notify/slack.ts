import type { Notice } from '../core/notification-routing.ts';

/** Slack mrkdwn treats &, < and > as markup. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Slack-compatible incoming-webhook body: `text` for notifications and clients without blocks, plus blocks. */
export function formatSlack(notice: Notice, link: string) {
  const i = notice.incident;
  const facts = [
    `*Severity:* ${i.severity}`,
    `*State:* ${i.state}`,
    `*Owner:* ${i.owner ? esc(i.owner) : 'unassigned'}`,
    ...(i.customers.length ? [`*Customers:* ${esc(i.customers.join(', '))}`] : []),
    ...(i.components.length ? [`*Components:* ${esc(i.components.join(', '))}`] : []),
  ];
  return {
    text: `${esc(notice.headline)} <${link}|${i.id}>`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${esc(notice.headline)}*` } },
      { type: 'section', fields: facts.map((text) => ({ type: 'mrkdwn', text })) },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `${notice.event} · <${link}|open incident ${i.id}>` }],
      },
    ],
  };
}
