import { json, startHttpStandIn } from './http-standin.ts';

export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: { type: string }[];
  thread_ts?: string;
  /** Every text this message had, oldest first (chat.update appends). */
  edits: string[];
}

const BLOCK_TYPES = new Set(['section', 'context', 'divider', 'header', 'actions', 'image', 'rich_text']);

/** Slack's documented block limits we rely on: section text ≤ 3000, ≤ 10 fields, known block types. */
function blocksError(blocks: unknown): string | null {
  if (blocks === undefined) return null;
  if (!Array.isArray(blocks) || blocks.length > 50) return 'invalid_blocks';
  for (const b of blocks as Record<string, unknown>[]) {
    if (!b || !BLOCK_TYPES.has(String(b.type))) return 'invalid_blocks';
    const text = b.text as { type?: string; text?: string } | undefined;
    if (
      text &&
      (!['mrkdwn', 'plain_text'].includes(String(text.type)) || String(text.text ?? '').length > 3000)
    )
      return 'invalid_blocks';
    if (b.type === 'section' && !text && !Array.isArray(b.fields)) return 'invalid_blocks';
    if (Array.isArray(b.fields) && b.fields.length > 10) return 'invalid_blocks';
  }
  return null;
}

/**
 * A local stand-in for the Slack Web API (`chat.postMessage`, `chat.update`) on loopback, reached by the real
 * @slack/web-api client through its `slackApiUrl`. Like Slack it answers HTTP 200 with `{ok:false, error}` for
 * a bad token (`invalid_auth`), an unknown channel (`channel_not_found`; chat.update wants the channel id),
 * an unknown message or thread (`message_not_found`, `thread_not_found`) and bad blocks (`invalid_blocks`); a
 * posted message gets a `ts` and the channel's id. `replyNext('/api/chat.update', {status: 429, headers:
 * {'retry-after': '30'}})` scripts a rate limit.
 */
export async function startSlackStandIn(opts: { token: string; channels: Record<string, string> }) {
  const messages: SlackMessage[] = [];
  let clock = 1_700_000_000;
  const channelId = (c: string) => (Object.values(opts.channels).includes(c) ? c : opts.channels[c]);
  const http = await startHttpStandIn((req, raw, res) => {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
    if (req.headers.authorization !== `Bearer ${opts.token}`)
      return json(res, 200, { ok: false, error: 'invalid_auth' });
    const type = String(req.headers['content-type'] ?? '');
    const args: Record<string, unknown> = type.startsWith('application/json')
      ? (JSON.parse(raw) as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(raw));
    const blocks = typeof args.blocks === 'string' ? JSON.parse(args.blocks) : args.blocks;
    const text = typeof args.text === 'string' ? args.text : '';
    const bad = blocksError(blocks);
    if (bad) return json(res, 200, { ok: false, error: bad });
    if (!text && !blocks) return json(res, 200, { ok: false, error: 'no_text' });
    if (method === 'chat.postMessage') {
      const channel = channelId(String(args.channel ?? ''));
      if (!channel) return json(res, 200, { ok: false, error: 'channel_not_found' });
      const thread = args.thread_ts === undefined ? undefined : String(args.thread_ts);
      if (thread && !messages.some((m) => m.channel === channel && m.ts === thread && !m.thread_ts))
        return json(res, 200, { ok: false, error: 'thread_not_found' });
      const ts = `${++clock}.000100`;
      messages.push({
        channel,
        ts,
        text,
        blocks: blocks ?? [],
        edits: [text],
        ...(thread ? { thread_ts: thread } : {}),
      });
      return json(res, 200, {
        ok: true,
        channel,
        ts,
        message: { text, ts, ...(thread ? { thread_ts: thread } : {}) },
      });
    }
    if (method === 'chat.update') {
      const channel = String(args.channel ?? '');
      if (!Object.values(opts.channels).includes(channel))
        return json(res, 200, { ok: false, error: 'channel_not_found' });
      const m = messages.find((x) => x.channel === channel && x.ts === String(args.ts));
      if (!m) return json(res, 200, { ok: false, error: 'message_not_found' });
      m.text = text;
      m.blocks = blocks ?? m.blocks;
      m.edits.push(text);
      return json(res, 200, { ok: true, channel, ts: m.ts, text });
    }
    return json(res, 200, { ok: false, error: 'unknown_method' });
  });
  return {
    ...http,
    messages,
    apiUrl: http.url('/api/'),
    /** Top-level messages (not thread replies). */
    topLevel: () => messages.filter((m) => !m.thread_ts),
    replies: (ts: string) => messages.filter((m) => m.thread_ts === ts),
    deleteMessage: (ts: string) =>
      messages.splice(
        messages.findIndex((m) => m.ts === ts),
        1,
      ),
  };
}
