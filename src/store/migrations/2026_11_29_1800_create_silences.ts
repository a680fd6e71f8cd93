import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

/**
 * Alertmanager-style silences, and on alerts what held each one back: `silenced_by` (a silence id) and `muted_by`
 * (a maintenance id). Frozen once landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table silences (
      id text primary key,
      matchers jsonb not null,
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      created_by text not null,
      comment text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check (ends_at >= starts_at)
    );
    -- The active-set loader reads silences not ended yet; the list reads newest first.
    create index silences_ends_at on silences (ends_at);
    create index silences_created on silences (created_at desc, id desc);

    alter table alerts add column silenced_by text;
    alter table alerts add column muted_by text;
    -- GET /api/v1/alerts?silenced=true / ?muted=true: only the held-back alerts, in list order.
    create index alerts_silenced on alerts (last_seen_at desc, id) where silenced_by is not null;
    create index alerts_muted on alerts (last_seen_at desc, id) where muted_by is not null;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    drop index alerts_muted;
    drop index alerts_silenced;
    alter table alerts drop column muted_by;
    alter table alerts drop column silenced_by;
    drop table silences;
  `,
  );
}
