import { sql } from 'kysely';
import type { NormalizedAlert } from '../core/alert.ts';
import type { Db, Trx } from './db.ts';

/**
 * Within the ingest transaction, after the upsert: each expiring alert's expiry from this delivery (the last
 * delivery of a fingerprint in the body wins). Alerts without `expiresAt` (every other source) are left alone.
 * A resolution keeps its `expiresAt` only when the expiry job resolved it: `resolved` with an expiry means
 * "expired, not resolved by its sender" (see `expiredFingerprints`).
 */
export async function recordAlertExpiries(trx: Trx, alerts: readonly NormalizedAlert[]): Promise<void> {
  const byFingerprint = new Map<string, string | null>();
  for (const a of alerts) {
    if (a.expiresAt === undefined) continue;
    byFingerprint.set(a.fingerprint, a.expiresAt?.toISOString() ?? null);
  }
  if (byFingerprint.size === 0) return;
  const rows = [...byFingerprint].map(([fingerprint, expires_at]) => ({ fingerprint, expires_at }));
  await sql`
    update alerts set expires_at = v.expires_at
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(fingerprint text, expires_at timestamptz)
    where alerts.source = ${alerts[0]!.source} and alerts.fingerprint = v.fingerprint`.execute(trx);
}

export interface ExpiredAlertRow {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  title: string;
  starts_at: Date;
  generator_url: string | null;
  raw: unknown;
  /** When it expired: its expiry, or last seen + the resolve timeout. */
  expired_at: Date;
}

/** Firing alerts of `source` past their expiry at `now` (or not seen for `resolveTimeoutMs`), oldest first. */
export async function expiredAlerts(
  db: Db,
  source: string,
  now: Date,
  resolveTimeoutMs: number,
  limit: number,
): Promise<ExpiredAlertRow[]> {
  const seenBefore = new Date(now.getTime() - resolveTimeoutMs);
  const rows = await db
    .selectFrom('alerts')
    .select(['fingerprint', 'labels', 'annotations', 'title', 'starts_at', 'generator_url', 'raw'])
    .select(
      sql<Date>`coalesce(expires_at, last_seen_at + ${`${resolveTimeoutMs} milliseconds`}::interval)`.as(
        'expired_at',
      ),
    )
    .where('source', '=', source)
    .where('status', '=', 'firing')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<=', now),
        eb.and([eb('expires_at', 'is', null), eb('last_seen_at', '<=', seenBefore)]),
      ]),
    )
    .orderBy('expired_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    starts_at: new Date(r.starts_at),
    expired_at: new Date(r.expired_at),
  })) as ExpiredAlertRow[];
}

/**
 * Of these fingerprints, the alerts the expiry job resolved (not their sender), with when they expired: a firing
 * re-send of one is a new occurrence even if it carries the old start (Prometheus restored its state, or its send
 * raced the expiry), as Alertmanager would fire it again.
 */
export async function expiredFingerprints(
  db: Db,
  source: string,
  fingerprints: readonly string[],
): Promise<Map<string, Date>> {
  if (fingerprints.length === 0) return new Map();
  const rows = await db
    .selectFrom('alerts')
    .select(['fingerprint', 'expires_at'])
    .where('source', '=', source)
    .where('status', '=', 'resolved')
    .where('expires_at', 'is not', null)
    .where('fingerprint', 'in', [...new Set(fingerprints)])
    .execute();
  return new Map(rows.map((r) => [r.fingerprint, new Date(r.expires_at!)]));
}
