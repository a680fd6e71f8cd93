import type { Migration } from 'kysely/migration';
import * as createCoreTables from './2026_11_23_0400_create_core_tables.ts';
import * as addSlaClocksAndOutbox from './2026_11_23_0500_add_sla_clocks_and_outbox.ts';
import * as prepareRetention from './2026_11_29_1600_prepare_retention.ts';
import * as boundCandidateGroups from './2026_11_29_1650_bound_candidate_groups.ts';
import * as createSlackMessages from './2026_11_29_1700_create_slack_messages.ts';
import * as createSilences from './2026_11_29_1800_create_silences.ts';
import * as extendMaintenances from './2026_11_29_1900_extend_maintenances.ts';
import * as addAlertExpiry from './2026_11_29_2000_add_alert_expiry.ts';

/** Static list: migrations are bundled code, not files discovered at run time. Names sort in apply order. */
export const migrations: Record<string, Migration> = {
  '2026_11_23_0400_create_core_tables': createCoreTables,
  '2026_11_23_0500_add_sla_clocks_and_outbox': addSlaClocksAndOutbox,
  '2026_11_29_1600_prepare_retention': prepareRetention,
  '2026_11_29_1650_bound_candidate_groups': boundCandidateGroups,
  '2026_11_29_1700_create_slack_messages': createSlackMessages,
  '2026_11_29_1800_create_silences': createSilences,
  '2026_11_29_1900_extend_maintenances': extendMaintenances,
  '2026_11_29_2000_add_alert_expiry': addAlertExpiry,
};
