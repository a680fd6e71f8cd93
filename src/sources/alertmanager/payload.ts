import { z } from 'zod';
import { parseRfc3339 } from './rfc3339.ts';

/** Label values are strings on the wire; scalars are stringified rather than refused. */
const labelValue = z
  .union([z.string(), z.number(), z.boolean()], { error: 'expected string' })
  .transform(String);

/** A `labels`/`annotations` object. Shared with Grafana, whose body extends Alertmanager's. */
export const stringMap = z.record(z.string(), labelValue);

/** Empty string counts as absent; anything else must be RFC 3339. */
export const rfc3339String = z
  .string()
  .refine((s) => s === '' || parseRfc3339(s) !== undefined, { error: 'expected an RFC 3339 date' });

/** One `alerts[]` entry. Unknown keys are ignored; null is the same as missing. */
export const alertmanagerAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']).nullish(),
  labels: stringMap.nullish(),
  annotations: stringMap.nullish(),
  startsAt: rfc3339String.nullish(),
  endsAt: rfc3339String.nullish(),
  generatorURL: z.string().nullish(),
  fingerprint: z.string().nullish(),
});
export type AlertmanagerAlert = z.output<typeof alertmanagerAlertSchema>;

/**
 * Webhook `version: "4"`. `version` itself is not checked: every Alertmanager sends "4", and
 * refusing a compatible body (e.g. Grafana's "1" pointed here) would only lose alerts.
 */
export const alertmanagerBodySchema = z.object({
  alerts: z.array(alertmanagerAlertSchema),
  groupLabels: stringMap.nullish(),
  commonLabels: stringMap.nullish(),
  truncatedAlerts: z.number().nullish(),
});
export type AlertmanagerBody = z.output<typeof alertmanagerBodySchema>;
