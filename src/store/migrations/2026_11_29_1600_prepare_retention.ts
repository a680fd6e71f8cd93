import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

/**
 * Retention: the size a dead letter's body had before it was cut to the kept length (null: kept whole, or
 * stored before this migration), and indexes the pruning job reads by age. Frozen once landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    alter table dead_letters add column body_size integer;
    create index alert_events_at on alert_events (at);
    create index incidents_resolved_at on incidents (resolved_at) where state = 'resolved';
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    drop index incidents_resolved_at;
    drop index alert_events_at;
    alter table dead_letters drop column body_size;
  `,
  );
}
