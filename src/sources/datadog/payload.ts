import { z } from 'zod';

/** The body is a user template, so any JSON object is a valid Datadog payload. */
export const datadogBodySchema = z.record(z.string(), z.unknown());
export type DatadogBody = z.output<typeof datadogBodySchema>;

/** The fields we understand, after alias resolution. Every value is a non-empty string or absent. */
export interface DatadogEvent {
  eventId?: string;
  monitorId?: string;
  scope?: string;
  cycleKey?: string;
  aggregKey?: string;
  transition?: string;
  alertType?: string;
  priority?: string;
  title?: string;
  alertTitle?: string;
  alertStatus?: string;
  metric?: string;
  query?: string;
  eventType?: string;
  message?: string;
  textOnlyMessage?: string;
  hostname?: string;
  link?: string;
  snapshot?: string;
  date?: string;
  orgId?: string;
  orgName?: string;
  /** `$TAGS`: a comma-separated string or a list; parsed by `parseTags`. */
  tags?: unknown;
}

/**
 * Aliases seen in real templates (Keep, ServiceNow, Port, Rootly, AlertNow, StackPulse, the default
 * payload). Each name is also tried in camelCase and UPPER_CASE, top-level and under `metadata`.
 * The event `id` is deliberately not a monitor-id alias: it changes with every notification.
 */
const ALIASES = {
  eventId: ['id', 'event_id'],
  monitorId: ['alert_id', 'monitor_id'],
  scope: ['alert_scope', 'scopes', 'scope'],
  cycleKey: ['alert_cycle_key'],
  aggregKey: ['aggreg_key'],
  transition: ['alert_transition', 'transition'],
  alertType: ['alert_type'],
  priority: ['alert_priority', 'severity', 'priority'],
  title: ['title', 'event_title'],
  alertTitle: ['alert_title'],
  alertStatus: ['alert_status'],
  metric: ['alert_metric'],
  query: ['alert_query'],
  eventType: ['event_type'],
  message: ['body', 'event_msg', 'message', 'text'],
  textOnlyMessage: ['text_only_msg'],
  hostname: ['hostname', 'host_name', 'host'],
  link: ['link', 'url', 'event_url'],
  snapshot: ['snapshot'],
  date: ['date', 'last_updated', 'date_posix', 'last_updated_posix'],
  orgId: ['org_id'],
  orgName: ['org_name'],
} as const satisfies Record<Exclude<keyof DatadogEvent, 'tags'>, readonly string[]>;

export function readDatadogEvent(body: DatadogBody): DatadogEvent {
  const event: DatadogEvent = {};
  for (const [field, names] of Object.entries(ALIASES) as [keyof typeof ALIASES, readonly string[]][]) {
    const value = firstText(body, names);
    if (value !== undefined) event[field] = value;
  }
  const org = own(body, 'org');
  if (isObject(org)) {
    event.orgId ??= text(own(org, 'id'));
    event.orgName ??= text(own(org, 'name'));
  }
  const tags = firstPresent(body, ['tags']);
  if (tags !== undefined) event.tags = tags;
  return event;
}

/** A template variable that rendered empty, or was left as `$NAME`, counts as missing. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' || trimmed.startsWith('$') ? undefined : trimmed;
}

function firstText(body: DatadogBody, names: readonly string[]): string | undefined {
  for (const container of containers(body)) {
    for (const name of names) {
      for (const key of spellings(name)) {
        const value = text(own(container, key));
        if (value !== undefined) return value;
      }
    }
  }
  return undefined;
}

function firstPresent(body: DatadogBody, names: readonly string[]): unknown {
  for (const container of containers(body)) {
    for (const name of names) {
      for (const key of spellings(name)) {
        const value = own(container, key);
        if (value !== undefined && value !== null) return value;
      }
    }
  }
  return undefined;
}

/** StackPulse/Torq nest everything under `metadata` with UPPER_CASE keys. */
function containers(body: DatadogBody): Record<string, unknown>[] {
  const metadata = own(body, 'metadata');
  return isObject(metadata) ? [body, metadata] : [body];
}

function spellings(snake: string): string[] {
  const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return [snake, camel, snake.toUpperCase()];
}

/** Own properties only: a JSON body must not reach `constructor` & co. through the prototype. */
function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
