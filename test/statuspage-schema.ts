import { z } from 'zod';

/**
 * Statuspage v2 public API response shapes, written from Atlassian's Statuspage v2 API documentation (captured
 * responses and the clients that read them). Strict objects: an unexpected field fails, so a
 * serializer cannot grow a field that nobody allow-listed.
 */

const isoTime = z.iso.datetime({ offset: true });
const id = z.string().min(1);

export const componentStatusSchema = z.enum([
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
]);
export const impactSchema = z.enum(['none', 'minor', 'major', 'critical']);

export const pageSchema = z.strictObject({
  id,
  name: z.string(),
  url: z.url(),
  time_zone: z.string().min(1),
  updated_at: isoTime,
});

export const statusSchema = z.strictObject({
  indicator: z.enum(['none', 'minor', 'major', 'critical', 'maintenance']),
  description: z.string().min(1),
});

export const componentSchema = z.strictObject({
  id,
  page_id: id,
  group_id: id.nullable(),
  name: z.string(),
  description: z.string().nullable(),
  status: componentStatusSchema,
  position: z.number().int(),
  showcase: z.boolean(),
  only_show_if_degraded: z.boolean(),
  group: z.boolean(),
  start_date: z.iso.date().nullable(),
  created_at: isoTime,
  updated_at: isoTime,
  /** Only on group rows: child ids. */
  components: z.array(id).optional(),
});

const updateBase = {
  id,
  incident_id: id,
  body: z.string(),
  created_at: isoTime,
  updated_at: isoTime,
  display_at: isoTime,
  affected_components: z
    .array(
      z.strictObject({
        code: id,
        name: z.string(),
        old_status: componentStatusSchema,
        new_status: componentStatusSchema,
      }),
    )
    .nullable(),
  deliver_notifications: z.boolean(),
  custom_tweet: z.string().nullable(),
  tweet_id: z.string().nullable(),
};

export const incidentUpdateSchema = z.strictObject({
  ...updateBase,
  status: z.enum(['investigating', 'identified', 'monitoring', 'resolved', 'postmortem']),
});

const incidentBase = {
  id,
  page_id: id,
  name: z.string(),
  impact: impactSchema,
  created_at: isoTime,
  updated_at: isoTime,
  started_at: isoTime,
  monitoring_at: isoTime.nullable(),
  resolved_at: isoTime.nullable(),
  shortlink: z.url(),
  components: z.array(componentSchema),
};

export const incidentSchema = z.strictObject({
  ...incidentBase,
  status: z.enum(['investigating', 'identified', 'monitoring', 'resolved', 'postmortem']),
  incident_updates: z.array(incidentUpdateSchema),
});

export const maintenanceStatusSchema = z.enum(['scheduled', 'in_progress', 'verifying', 'completed']);

export const scheduledMaintenanceSchema = z.strictObject({
  ...incidentBase,
  status: maintenanceStatusSchema,
  scheduled_for: isoTime,
  scheduled_until: isoTime,
  incident_updates: z.array(z.strictObject({ ...updateBase, status: maintenanceStatusSchema })),
});

export const summaryResponse = z.strictObject({
  page: pageSchema,
  status: statusSchema,
  components: z.array(componentSchema),
  incidents: z.array(incidentSchema),
  scheduled_maintenances: z.array(scheduledMaintenanceSchema),
});
export const statusResponse = z.strictObject({ page: pageSchema, status: statusSchema });
export const componentsResponse = z.strictObject({ page: pageSchema, components: z.array(componentSchema) });
export const incidentsResponse = z.strictObject({ page: pageSchema, incidents: z.array(incidentSchema) });
export const scheduledMaintenancesResponse = z.strictObject({
  page: pageSchema,
  scheduled_maintenances: z.array(scheduledMaintenanceSchema),
});

/** Path under `/api/v2/` → response schema. */
export const STATUSPAGE_RESPONSE_SCHEMAS = {
  'summary.json': summaryResponse,
  'status.json': statusResponse,
  'components.json': componentsResponse,
  'incidents.json': incidentsResponse,
  'incidents/unresolved.json': incidentsResponse,
  'scheduled-maintenances.json': scheduledMaintenancesResponse,
  'scheduled-maintenances/upcoming.json': scheduledMaintenancesResponse,
  'scheduled-maintenances/active.json': scheduledMaintenancesResponse,
} as const;
