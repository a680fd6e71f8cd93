import { z } from 'zod';
import { parseIso8601 } from './timestamp.ts';

const optionalText = z.string().nullish();

/** `payload` of an alert event: summary, source and severity are required (PagerDuty refuses a trigger without). */
export const pagerdutyPayloadSchema = z.object({
  summary: z.string().min(1).max(1024),
  source: z.string().min(1),
  severity: z.enum(['critical', 'error', 'warning', 'info']),
  timestamp: z
    .string()
    .refine((s) => parseIso8601(s) !== undefined, { error: 'expected an ISO 8601 timestamp' })
    .nullish(),
  component: optionalText,
  group: optionalText,
  class: optionalText,
  custom_details: z.unknown().optional(),
});

/** A PagerDuty Events API v2 alert event (`POST /v2/enqueue`). Unknown keys are ignored. */
export const pagerdutyEventSchema = z
  .object({
    routing_key: z.string().min(1),
    event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
    dedup_key: z.string().min(1).max(255).nullish(),
    payload: pagerdutyPayloadSchema.nullish(),
    images: z.array(z.object({ src: z.string(), href: optionalText, alt: optionalText })).nullish(),
    links: z.array(z.object({ href: z.string(), text: optionalText })).nullish(),
    client: optionalText,
    client_url: optionalText,
  })
  .superRefine((event, ctx) => {
    if (event.event_action === 'trigger' && !event.payload)
      ctx.addIssue({ code: 'custom', path: ['payload'], message: 'required for a trigger event' });
    if (event.event_action !== 'trigger' && !event.dedup_key)
      ctx.addIssue({ code: 'custom', path: ['dedup_key'], message: `required for ${event.event_action}` });
  });
export type PagerdutyEvent = z.output<typeof pagerdutyEventSchema>;
