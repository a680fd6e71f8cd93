import { z } from 'zod';
import { parseDuration } from '../duration.ts';

/** Statuses a rule may set; under_maintenance belongs to scheduled maintenance, not to alerts. */
export const RULE_COMPONENT_STATUSES = [
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
] as const;

/** Marker in the message so the loader can word duration problems uniformly. */
export const BAD_DURATION = 'bad duration';

const duration = z
  .union([z.string(), z.number()])
  .refine((v) => parseDuration(v) !== null, { message: BAD_DURATION });

const ruleSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "-", "_" or "."'),
  description: z.string().optional(),
  match: z.string().min(1),
  group_by: z.array(z.string().min(1)).default([]),
  customer_label: z.string().min(1).default('customer'),
  window: duration.default('30m'),
  severity: z.string().min(1).default('SEV3'),
  components: z.array(z.string()).default([]),
  component_status: z.enum(RULE_COMPONENT_STATUSES).default('partial_outage'),
  title: z.string().min(1).optional(),
  resolve_after: duration.default(0),
  open_when: z.string().min(1).optional(),
  publish: z.enum(['review', 'auto']).default('review'),
  public_message: z.string().min(1).optional(),
});

export const ruleFileSchema = z.strictObject({ rules: z.array(ruleSchema).default([]) });

export type RuleFileInput = z.output<typeof ruleFileSchema>;
export type RuleInput = RuleFileInput['rules'][number];
