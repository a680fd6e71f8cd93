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

/** The file's shape; each entry of `rules` is checked by checkRuleFields. */
export const ruleFileSchema = z.strictObject({ rules: z.array(z.unknown()).default([]) });

export type RuleInput = z.output<typeof ruleSchema>;

type FieldIssue =
  | z.core.$ZodIssue
  | { code: 'unrecognized_keys'; keys: string[]; path: PropertyKey[]; message: string };

/**
 * One rule, field by field: every problem (paths under `at`), and the value of every valid field (with its
 * default), so the loader can still check the valid ones. `failed` names the fields with problems.
 */
export function checkRuleFields(
  raw: unknown,
  at: readonly PropertyKey[],
): { fields: Partial<RuleInput>; issues: z.core.$ZodIssue[]; failed: Set<string> } {
  const object = z.record(z.string(), z.unknown()).safeParse(raw);
  if (!object.success) {
    const issue = {
      code: 'custom',
      path: [...at],
      message: 'expected a mapping (name: …, match: …)',
      input: raw,
    };
    return {
      fields: {},
      issues: [issue as z.core.$ZodIssue],
      failed: new Set(Object.keys(ruleSchema.shape)),
    };
  }
  const fields: Record<string, unknown> = {};
  const issues: FieldIssue[] = [];
  const failed = new Set<string>();
  const unknown = Object.keys(object.data).filter((key) => !Object.hasOwn(ruleSchema.shape, key));
  if (unknown.length > 0)
    issues.push({ code: 'unrecognized_keys', keys: unknown, path: [...at], message: '' });
  for (const [key, schema] of Object.entries(ruleSchema.shape)) {
    const field = (schema as z.ZodType).safeParse(object.data[key]);
    if (field.success) {
      if (field.data !== undefined) fields[key] = field.data;
    } else {
      failed.add(key);
      for (const issue of field.error.issues) issues.push({ ...issue, path: [...at, key, ...issue.path] });
    }
  }
  return { fields: fields as Partial<RuleInput>, issues: issues as z.core.$ZodIssue[], failed };
}
