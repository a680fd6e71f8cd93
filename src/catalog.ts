import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { COMPONENT_STATUSES } from './core/component-status.ts';
import { customSourcesSchema } from './core/custom-source-definition.ts';
import { parseDuration } from './core/duration.ts';
import { defaultEvents, NOTIFICATION_EVENTS } from './core/notification-routing.ts';
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

/** PagerDuty Events API v2; `url` points elsewhere (EU service region, a test receiver). */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** Keys beyond name/type/events/min_severity/escalation, and which target types use them. */
const TYPE_KEYS = {
  url: ['webhook', 'slack', 'teams', 'pagerduty'],
  routing_key: ['pagerduty'],
  token: ['slack'],
  channel: ['slack'],
  api_url: ['slack'],
  thread: ['slack'],
  format: ['teams'],
} as const;

/** What a Slack bot posts as thread replies under the incident's message. */
export const SLACK_THREAD_ITEMS = ['updates', 'notes', 'events'] as const;

const notificationTarget = z
  .strictObject({
    name: z.string().min(1),
    type: z.enum(['webhook', 'slack', 'teams', 'datadog', 'pagerduty']),
    url: z.string().url().optional(),
    routing_key: z
      .string()
      .regex(/^[A-Za-z0-9]{32}$/, 'a PagerDuty integration key is 32 letters and digits')
      .optional(),
    token: z
      .string()
      .regex(/^xox[bp]-/, 'a Slack bot token starts with xoxb-')
      .optional(),
    channel: z.string().min(1).optional(),
    api_url: z.string().url().optional(),
    thread: z.array(z.enum(SLACK_THREAD_ITEMS)).optional(),
    format: z.enum(['adaptive', 'messagecard']).optional(),
    events: z.array(z.enum(NOTIFICATION_EVENTS)).optional(),
    min_severity: z.enum(SEVERITIES).default('SEV4'),
    escalation: z.boolean().default(false),
  })
  .superRefine((t, ctx) => {
    const problem = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
    for (const [key, types] of Object.entries(TYPE_KEYS)) {
      if (t[key as keyof typeof TYPE_KEYS] !== undefined && !(types as readonly string[]).includes(t.type))
        problem(key, `not used by type ${t.type}`);
    }
    if ((t.type === 'webhook' || t.type === 'teams') && !t.url) problem('url', `required for ${t.type}`);
    if (t.type === 'pagerduty' && !t.routing_key) problem('routing_key', 'required for pagerduty');
    if (t.type !== 'slack') return;
    const bot = t.token !== undefined || t.channel !== undefined;
    if (t.url && bot) problem('url', 'use either url (incoming webhook) or token + channel (bot), not both');
    else if (!t.url && !bot)
      problem('url', 'required for slack (an incoming webhook), or token + channel for a bot');
    else if (bot && !t.token) problem('token', 'required with channel (a Slack bot token, xoxb-…)');
    else if (bot && !t.channel)
      problem('channel', 'required with token (a channel id like C0123456789 or #name)');
    for (const key of ['api_url', 'thread'] as const) {
      if (t[key] !== undefined && !bot) problem(key, 'only for a slack bot (token + channel)');
    }
  })
  .transform((t) => ({
    ...t,
    url: t.url ?? (t.type === 'pagerduty' ? PAGERDUTY_EVENTS_URL : undefined),
    events: t.events ?? [...defaultEvents(t)],
  }));

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
  notifications: z.array(notificationTarget).default([]),
  /** PagerDuty Events API v2 intake (`POST /v2/enqueue`): accepted routing keys, and labels added to their alerts. */
  pagerduty_routing_keys: z
    .array(
      z.strictObject({
        key: z.string().min(8, 'routing keys need at least 8 characters'),
        labels: z.record(z.string(), z.string()).default({}),
      }),
    )
    .default([])
    .refine((keys) => new Set(keys.map((k) => k.key)).size === keys.length, { message: 'duplicate key' }),
  sources: customSourcesSchema,
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
  const targetNames = new Set<string>();
  catalog.notifications.forEach((n, i) => {
    if (targetNames.has(n.name))
      problems.push(`${file}: notifications[${i}].name: duplicate target name "${n.name}"`);
    targetNames.add(n.name);
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
