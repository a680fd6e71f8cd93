import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

/**
 * The Slack message a bot target posted for an incident, so later notices update it (chat.update) and reply in
 * its thread. One row per target and incident; the primary key stops two replicas from keeping two messages.
 * Frozen once landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table slack_messages (
      target text not null,
      incident_id text not null references incidents (id) on delete cascade,
      channel text not null,
      ts text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      primary key (target, incident_id)
    );
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'drop table slack_messages;');
}
