import { z } from 'zod';
import { rfc3339String, stringMap } from '../alertmanager/payload.ts';

/**
 * One of Alertmanager's postable alerts (`POST /api/v2/alerts`, what Prometheus sends): `labels` required,
 * the rest optional. Unknown keys are ignored; null is the same as missing.
 */
export const postableAlertSchema = z.object({
  labels: stringMap,
  annotations: stringMap.nullish(),
  startsAt: rfc3339String.nullish(),
  endsAt: rfc3339String.nullish(),
  generatorURL: z.string().nullish(),
});
export type PostableAlert = z.output<typeof postableAlertSchema>;

/** The body is a JSON array; it is validated as `{ alerts: body }` so errors read `alerts[3].labels: …`. */
export const postableAlertsSchema = z.object({ alerts: z.array(postableAlertSchema) });
