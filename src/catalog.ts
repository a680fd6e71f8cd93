import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { COMPONENT_STATUSES } from './core/component-status.ts';
import { parseDuration } from './core/duration.ts';
import { NOTIFICATION_EVENTS } from './core/notification-routing.ts';
import { SEVERITIES } from './core/severity.ts';

/** A duration string (`5m`, `4h`) turned into milliseconds. */
const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `invalid duration "${text}" (use e.g. 30s, 5m, 4h, 1d)` });
    return z.NEVER;
  }
  return ms;
});

const slaPolicy = z.strictObject({
  acknowledge: duration,
  owner: duration,
  update_every: duration,
  resolve: duration,
});

const catalogSchema = z.strictObject({
  status_page: z
    .strictObject({
      title: z.string().min(1).default('Status'),
      time_zone: z
        .string()
        .default('Etc/UTC')
        .refine((tz) => isTimeZone(tz), { message: 'unknown IANA time zone' }),
      description: z.string().optional(),
      url: z.string().url().optional(),
    })
    .default({ title: 'Status', time_zone: 'Etc/UTC' }),
  components: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'ids are lowercase letters, digits, - and _'),
        name: z.string().min(1),
        group: z.string().optional(),
        description: z.string().optional(),
        status: z.enum(COMPONENT_STATUSES).optional(),
      }),
    )
    .default([]),
  customers: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        name: z.string().min(1),
        tier: z.string().min(1),
        access_key: z.string().min(8, 'access keys need at least 8 characters'),
      }),
    )
    .default([]),
  default_tier: z.string().default('standard'),
  sla_policies: z.record(z.string(), z.partialRecord(z.enum(SEVERITIES), slaPolicy)).default({}),
  sla_warning_at: z.number().gt(0).lt(1).default(0.8),
  notifications: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        type: z.enum(['webhook', 'slack', 'teams', 'datadog']),
        url: z.string().url().optional(),
        events: z.array(z.enum(NOTIFICATION_EVENTS)).default([...NOTIFICATION_EVENTS]),
        min_severity: z.enum(SEVERITIES).default('SEV4'),
        escalation: z.boolean().default(false),
      }),
    )
    .default([]),
});

export type Catalog = z.infer<typeof catalogSchema>;
export class ConfigError extends Error {}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** `components[2].grup` from a zod issue path. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Validates a decoded catalog; problems come back as `FILE: path.to.field: reason` lines. */
export function parseCatalog(doc: unknown, file: string): Catalog {
  const result = catalogSchema.safeParse(doc ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys
          .map((key) => `${file}: ${formatPath([...issue.path, key])}: unknown key`)
          .join('\n');
      }
      const where = issue.path.length ? formatPath(issue.path) : '(top level)';
      return `${file}: ${where}: ${issue.message}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const catalog = result.data;
  const problems: string[] = [];
  const seen = new Set<string>();
  catalog.components.forEach((c, i) => {
    if (seen.has(c.id)) problems.push(`${file}: components[${i}].id: duplicate component id "${c.id}"`);
    seen.add(c.id);
  });
  const customerIds = new Set<string>();
  catalog.customers.forEach((c, i) => {
    if (customerIds.has(c.id)) problems.push(`${file}: customers[${i}].id: duplicate customer id "${c.id}"`);
    customerIds.add(c.id);
    if (!(c.tier in catalog.sla_policies) && Object.keys(catalog.sla_policies).length > 0) {
      problems.push(`${file}: customers[${i}].tier: no sla_policies entry for tier "${c.tier}"`);
    }
  });
  catalog.notifications.forEach((n, i) => {
    if (n.type !== 'datadog' && !n.url)
      problems.push(`${file}: notifications[${i}].url: required for ${n.type}`);
  });
  if (problems.length) throw new ConfigError(problems.join('\n'));
  return catalog;
}

export function loadCatalog(file: string): Catalog {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `${file}: cannot read catalog (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseCatalog(doc, file);
}
