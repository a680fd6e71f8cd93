import type { IncidentChange } from '../core/incident-change.ts';
import { DELIVERABLE_TYPES, type NotificationTarget } from '../core/notification-routing.ts';
import { formatNotice } from '../notify/format.ts';
import type { NoticeSender, Sender, SendResult } from '../notify/send.ts';
import type { Db } from '../store/db.ts';
import { getIncident, insertEvents } from '../store/incidents.ts';
import { claimOutbox, markFailed, markSent, type OutboxRow } from '../store/outbox.ts';
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

export const DEFAULT_OUTBOX_POLICY: OutboxPolicy = {
  batch: 50,
  maxAttempts: 10,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  leaseMs: 120_000,
};

export function retryDelayMs(policy: OutboxPolicy, attempts: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
}

export interface OutboxDeps {
  db: Db;
  targets: readonly NotificationTarget[];
  /** Base URL for links in messages. */
  publicUrl: string;
  send: Sender;
  /** Senders for target types with their own client (datadog); others are POSTed to their URL by `send`. */
  senders?: Partial<Record<NotificationTarget['type'], NoticeSender>>;
  policy?: Partial<OutboxPolicy>;
  announce?: (changes: IncidentChange[]) => void;
}

/**
 * Delivers due outbox rows after their transaction committed: claim (lease), send outside any transaction,
 * then record the outcome. A row is `sent` only after a 2xx; failures retry with exponential backoff until
 * maxAttempts, then stay `failed` with their last error. Targets are served in parallel, rows of one target
 * in order.
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
      for (const row of list) {
        const result = await deliver(deps, target, row);
        const change = await record(deps.db, policy, row, result, now);
        if (change) changes.push(change);
      }
    }),
  );
  deps.announce?.(changes);
  return rows.length;
}

/** `final`: retrying cannot help (target gone, no sender for its type). */
async function deliver(
  deps: OutboxDeps,
  target: NotificationTarget | undefined,
  row: OutboxRow,
): Promise<SendResult & { final?: boolean }> {
  if (!target) return { ok: false, error: `target ${row.target} is no longer configured`, final: true };
  const typed = deps.senders?.[target.type];
  if (typed) return typed(row);
  if (!DELIVERABLE_TYPES.has(target.type) || !target.url) {
    return { ok: false, error: `not configured: no ${target.type} sender in this build`, final: true };
  }
  const link = `${deps.publicUrl}/internal/incidents/${row.notice.incident.id}`;
  return deps.send(target.url, formatNotice(target.type, row.notice, link));
}

async function record(
  db: Db,
  policy: OutboxPolicy,
  row: OutboxRow,
  result: SendResult & { final?: boolean },
  now: Date,
): Promise<IncidentChange | null> {
  return db.transaction().execute(async (trx) => {
    const data: Record<string, unknown> = { target: row.target, event: row.event, attempt: row.attempts };
    if (result.ok) {
      await markSent(trx, row.id, now);
    } else {
      const giveUp = result.final === true || row.attempts >= policy.maxAttempts;
      // A rate-limited receiver says when to come back; otherwise exponential backoff.
      const delayMs = result.retryAfterMs ?? retryDelayMs(policy, row.attempts);
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
