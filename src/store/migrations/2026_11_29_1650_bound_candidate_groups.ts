import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

/**
 * Candidate groups keep counts and a bounded sample instead of every alert id: the alerts waiting in a group
 * are marked (`alerts.waiting`) and found by (rule, group_key) when the group opens or expires. Frozen once landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    alter table alerts add column waiting boolean not null default false;
    create index alerts_waiting on alerts (rule, group_key) where waiting;
    alter table candidate_groups add column firing_count integer not null default 0;
    update candidate_groups set firing_count = jsonb_array_length(firing_alert_ids);
    update alerts set waiting = true from candidate_groups c, jsonb_array_elements_text(c.alert_ids) as x(id)
      where alerts.id = x.id and alerts.incident_id is null;
    update candidate_groups set firing_alert_ids = '[]'::jsonb, alert_ids = (
      select coalesce(jsonb_agg(t.v order by t.n), '[]'::jsonb)
      from jsonb_array_elements(candidate_groups.alert_ids) with ordinality as t(v, n) where t.n <= 100);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    'alter table candidate_groups drop column firing_count; drop index alerts_waiting; alter table alerts drop column waiting;',
  );
}
