import type { IncidentChange } from '../core/incident-change.ts';
import {
  DELIVERABLE_TYPES,
  FOLLOW_UP_EVENTS,
  isStateful,
  meetsMinSeverity,
  type NotificationTarget,
} from '../core/notification-routing.ts';
import { formatNotice } from '../notify/format.ts';
import type { NoticeSender, Sender, SendResult } from '../notify/send.ts';
import type { Db } from '../store/db.ts';
import { getIncident, insertEvents } from '../store/incidents.ts';
import {
  claimOutbox,
  deferOutbox,
  markFailed,
  markSent,
  type OutboxRow,
  pendingBefore,
  sentBefore,
} from '../store/outbox.ts';
import type { Job } from './scheduler.ts';

export interface OutboxPolicy {
  batch: number;
  maxAttempts: number;
  /** First retry delay; doubles with every failed attempt, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a claimed row is hidden from other replicas while it is being sent. */
  leaseMs: number;
}

const DEFAULT_OUTBOX_POLICY: OutboxPolicy = {
  batch: 50,
  maxAttempts: 10,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  leaseMs: 120_000,
};

function retryDelayMs(policy: OutboxPolicy, attempts: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
}

/** A target's type, or `slack-bot` for a slack target with a token (Web API instead of an incoming webhook). */
export type SenderKind = NotificationTarget['type'] | 'slack-bot';

export function senderKind(t: Pick<NotificationTarget, 'type' | 'token'>): SenderKind {
  return t.type === 'slack' && t.token ? 'slack-bot' : t.type;
}

export interface OutboxDeps {
  db: Db;
  targets: readonly NotificationTarget[];
  /** Base URL for links in messages. */
  publicUrl: string;
  send: Sender;
  /** Senders for targets with their own client (datadog, slack bot); others are POSTed to their URL by `send`. */
  senders?: Partial<Record<SenderKind, NoticeSender>>;
  policy?: Partial<OutboxPolicy>;
  announce?: (changes: IncidentChange[]) => void;
}

/**
 * Delivers due outbox rows after their transaction committed: claim (lease), send outside any transaction,
 * then record the outcome. A row is `sent` only after a 2xx; failures retry with exponential backoff until
 * maxAttempts, then stay `failed` with their last error; a receiver's Retry-After (a 429, a 503) replaces the
 * backoff and holds the target's other rows of the batch until then, untried. Targets are served in parallel,
 * rows of one target in order; a target that keeps one object per incident (PagerDuty, Slack bot) gets an
 * incident's rows strictly in order: a row waits while an older one for the same incident is pending.
 */
export async function runOutbox(deps: OutboxDeps, now: Date): Promise<number> {
  const policy = { ...DEFAULT_OUTBOX_POLICY, ...deps.policy };
  const rows = await claimOutbox(deps.db, now, policy.batch, policy.leaseMs);
  if (rows.length === 0) return 0;
  const byTarget = new Map<string, OutboxRow[]>();
  for (const r of rows) byTarget.set(r.target, [...(byTarget.get(r.target) ?? []), r]);
  const changes: IncidentChange[] = [];
  await Promise.all(
    [...byTarget].map(async ([name, list]) => {
      const target = deps.targets.find((t) => t.name === name);
      for (const [k, row] of list.entries()) {
        if (target && isStateful(target)) {
          const before = await pendingBefore(deps.db, row);
          if (before) {
            await deferOutbox(deps.db, [row.id], new Date(Math.max(before.getTime(), now.getTime()) + 1));
            continue;
          }
        }
        const result = await deliver(deps, target, row);
        const retryAfterMs = result.ok ? undefined : result.retryAfterMs;
        const change = await record(deps.db, policy, row, result, now);
        if (change) changes.push(change);
        if (retryAfterMs !== undefined) {
          const until = new Date(now.getTime() + Math.min(retryAfterMs, policy.maxDelayMs));
          await deferOutbox(
            deps.db,
            list.slice(k + 1).map((r) => r.id),
            until,
          );
          break;
        }
      }
    }),
  );
  deps.announce?.(changes);
  return rows.length;
}

/** `final`: retrying cannot help (target gone, no sender for its type, a 4xx). */
async function deliver(
  deps: OutboxDeps,
  target: NotificationTarget | undefined,
  row: OutboxRow,
): Promise<SendResult> {
  if (!target) return { ok: false, error: `target ${row.target} is no longer configured`, final: true };
  // A follow-up routed only because the target may show the incident: dropped if nothing opened it there
  // (skipped follow-ups are marked sent too, so only other events count).
  if (
    FOLLOW_UP_EVENTS.has(row.notice.event) &&
    isStateful(target) &&
    !meetsMinSeverity(target, row.notice) &&
    !(await sentBefore(deps.db, row, [...FOLLOW_UP_EVENTS]))
  ) {
    return {
      ok: true,
      status: 0,
      skipped: `below min_severity ${target.min_severity} and nothing sent before`,
    };
  }
  const typed = deps.senders?.[senderKind(target)];
  if (typed) return typed({ ...row, target });
  const body = formatNotice(target, row.notice, deps.publicUrl);
  if (!DELIVERABLE_TYPES.has(target.type) || !target.url || body === null) {
    return { ok: false, error: `not configured: no ${senderKind(target)} sender in this build`, final: true };
  }
  return deps.send(target.url, body);
}

async function record(
  db: Db,
  policy: OutboxPolicy,
  row: OutboxRow,
  result: SendResult,
  now: Date,
): Promise<IncidentChange | null> {
  return db.transaction().execute(async (trx) => {
    const data: Record<string, unknown> = { target: row.target, event: row.event, attempt: row.attempts };
    if (result.ok) {
      await markSent(trx, row.id, now);
      if (result.skipped) data.skipped = result.skipped;
    } else {
      const giveUp = result.final === true || row.attempts >= policy.maxAttempts;
      // A rate-limited receiver says when to come back; otherwise exponential backoff.
      const delayMs = Math.min(policy.maxDelayMs, result.retryAfterMs ?? retryDelayMs(policy, row.attempts));
      const retryAt = giveUp ? null : new Date(now.getTime() + delayMs);
      await markFailed(trx, row.id, result.error, retryAt);
      data.error = result.error;
      data.retryAt = retryAt?.toISOString() ?? null;
      data.gaveUp = giveUp;
    }
    if (!row.incidentId) return null;
    const incident = await getIncident(trx, row.incidentId);
    if (!incident) return null;
    const events = [
      {
        incidentId: incident.id,
        at: now,
        kind: result.ok ? ('notification.sent' as const) : ('notification.failed' as const),
        actor: 'system',
        visibility: 'internal' as const,
        data,
      },
    ];
    await insertEvents(trx, events);
    return { incident, created: false, events };
  });
}

export function outboxJob(deps: OutboxDeps): Job {
  return { name: 'notification-outbox', run: (now) => runOutbox(deps, now) };
}
