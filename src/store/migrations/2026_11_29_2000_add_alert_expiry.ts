import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

/**
 * Alerts that expire unless re-sent (Prometheus through `POST /api/v2/alerts`, Alertmanager's resolve_timeout
 * semantics): `expires_at` is the last send's future `endsAt`, null when it had none. Frozen once landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    alter table alerts add column expires_at timestamptz;
    -- The expiry job reads firing alerts of one source by expiry, or by last seen when they carry none.
    create index alerts_firing_expiry on alerts (source, expires_at) where status = 'firing';
    create index alerts_firing_last_seen on alerts (source, last_seen_at) where status = 'firing' and expires_at is null;
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    drop index alerts_firing_last_seen;
    drop index alerts_firing_expiry;
    alter table alerts drop column expires_at;
    `,
  );
}
