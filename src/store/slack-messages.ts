import type { Db } from './db.ts';

/** Where a Slack bot target's message for an incident lives. */
export interface SlackMessageRef {
  channel: string;
  ts: string;
}

export async function getSlackMessage(
  db: Db,
  target: string,
  incidentId: string,
): Promise<SlackMessageRef | null> {
  const row = await db
    .selectFrom('slack_messages')
    .select(['channel', 'ts'])
    .where('target', '=', target)
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  return row ?? null;
}

/** Records (or replaces, after the old message was deleted) the message of a target for an incident. */
export async function saveSlackMessage(
  db: Db,
  target: string,
  incidentId: string,
  ref: SlackMessageRef,
  now: Date,
): Promise<void> {
  await db
    .insertInto('slack_messages')
    .values({
      target,
      incident_id: incidentId,
      channel: ref.channel,
      ts: ref.ts,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['target', 'incident_id'])
        .doUpdateSet({ channel: ref.channel, ts: ref.ts, updated_at: now }),
    )
    .execute();
}
