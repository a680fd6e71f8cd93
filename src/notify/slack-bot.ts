import type { WebClient } from '@slack/web-api';
import type { NotificationTarget } from '../core/notification-routing.ts';
import type { Logger } from '../pipeline/ports.ts';
import { type NoticeView, viewNotice } from './notice.ts';
import type { NoticeSender, SendResult } from './send.ts';
import { formatSlack, formatSlackReply, incidentHeadline } from './slack.ts';

export const SLACK_API_URL = 'https://slack.com/api/';

type SlackModule = typeof import('@slack/web-api');
/** Loaded with the first Slack notice: a service without a Slack bot target never pays for the client. */
let slackModule: Promise<SlackModule> | null = null;
const loadSlack = () => {
  slackModule ??= import('@slack/web-api');
  return slackModule;
};

/** Where a target's message for an incident lives (a port: main.ts wires it to the slack_messages table). */
export interface SlackMessages {
  get(target: string, incidentId: string): Promise<{ channel: string; ts: string } | null>;
  save(target: string, incidentId: string, ref: { channel: string; ts: string }): Promise<void>;
}

/** What goes into the thread by default: public updates and event headlines; internal notes only when asked. */
const DEFAULT_THREAD: NonNullable<NotificationTarget['thread']> = ['updates', 'events'];

function threadItem(v: NoticeView): 'updates' | 'notes' | 'events' | null {
  if (v.event === 'update.posted') return 'updates';
  if (v.event === 'note.added') return 'notes';
  // incident.updated (an owner, a customer) shows in the message itself.
  return v.event === 'incident.updated' ? null : 'events';
}

/** Slack errors about the message itself: sending it again cannot work. */
const FINAL_ERRORS = new Set([
  'invalid_blocks',
  'invalid_arguments',
  'msg_too_long',
  'no_text',
  'invalid_blocks_format',
]);

/**
 * A Slack bot target (`token` + `channel`): one message per incident, posted with chat.postMessage on its first
 * notice and rewritten with chat.update on every later one, so the channel shows each incident once, as it
 * stands; public updates, internal notes and event headlines go into the message's thread as configured by
 * `thread`. The client does not retry: a 429 comes back to the outbox with Slack's Retry-After (the outbox
 * holds the target's other rows until then), other failures retry with the outbox's backoff.
 */
export function createSlackBotSender(deps: {
  publicUrl: string;
  messages: SlackMessages;
  log: Logger;
  timeoutMs?: number;
}): NoticeSender {
  const clients = new Map<string, WebClient>();
  const clientFor = (slack: SlackModule, t: NotificationTarget) => {
    const key = `${t.api_url ?? SLACK_API_URL}\n${t.token}`;
    let client = clients.get(key);
    if (!client) {
      client = new slack.WebClient(t.token, {
        slackApiUrl: t.api_url ?? SLACK_API_URL,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: deps.timeoutMs ?? 10_000,
        logger: quietLogger,
      });
      clients.set(key, client);
    }
    return client;
  };

  return async ({ target, notice, incidentId }) => {
    if (!target.token || !target.channel || !incidentId) {
      return { ok: false, error: 'slack bot target needs token and channel', final: true };
    }
    const slack = await loadSlack();
    const client = clientFor(slack, target);
    const view = viewNotice(notice, deps.publicUrl);
    const message = {
      ...formatSlack(view, incidentHeadline(view)),
      unfurl_links: false,
      unfurl_media: false,
    };
    let step = 'chat.postMessage';
    try {
      let ref = await deps.messages.get(target.name, incidentId);
      if (ref) {
        step = 'chat.update';
        try {
          await client.chat.update({ channel: ref.channel, ts: ref.ts, ...message });
        } catch (err) {
          // Someone deleted the message: start a new one.
          if (!(err instanceof slack.WebAPIPlatformError && err.data.error === 'message_not_found'))
            throw err;
          deps.log.info('slack message of the incident is gone: posting a new one', {
            target: target.name,
            incident: incidentId,
          });
          ref = null;
        }
      }
      if (!ref) {
        step = 'chat.postMessage';
        const posted = await client.chat.postMessage({ channel: target.channel, ...message });
        ref = { channel: String(posted.channel), ts: String(posted.ts) };
        await deps.messages.save(target.name, incidentId, ref);
      }
      const item = threadItem(view);
      if (item && (target.thread ?? DEFAULT_THREAD).includes(item)) {
        step = 'chat.postMessage (thread)';
        await client.chat.postMessage({
          channel: ref.channel,
          thread_ts: ref.ts,
          ...formatSlackReply(view),
          unfurl_links: false,
        });
      }
      return { ok: true, status: 200 };
    } catch (err) {
      return slackFailure(slack, step, err);
    }
  };
}

function slackFailure(slack: SlackModule, step: string, err: unknown): SendResult {
  if (err instanceof slack.WebAPIRateLimitedError) {
    return { ok: false, error: `slack ${step}: rate limited`, retryAfterMs: err.retryAfter * 1000 };
  }
  if (err instanceof slack.WebAPIPlatformError) {
    const code = String(err.data.error);
    return { ok: false, error: `slack ${step}: ${code}`, ...(FINAL_ERRORS.has(code) ? { final: true } : {}) };
  }
  return { ok: false, error: `slack ${step}: ${(err as Error).message}` };
}

/** The client's own logging is off: outcomes are recorded by the outbox (timeline, targets API). */
const quietLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => 'error' as never,
  setName: () => {},
};
