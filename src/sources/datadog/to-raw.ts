import type { AlertStatus, NormalizedAlert } from '../../core/alert.ts';
import { parseDatadogDate } from './dates.ts';
import { canonicalJson, monitorKey, normalizeScope, shortHash } from './fingerprint.ts';
import { findMonitorLink } from './monitor-link.ts';
import type { DatadogBody, DatadogEvent } from './payload.ts';
import { parseTitlePrefix, statusFromAlertType, statusFromTransition } from './state.ts';
import { parseTags, setLabel, tagsToLabels } from './tags.ts';

const PRIORITY = /^p[1-5]$/i;

/** One Datadog delivery (always exactly one event) to one alert. */
export function datadogEventToNormalized(
  event: DatadogEvent,
  body: DatadogBody,
  receivedAt: Date,
  maxTagKeys = Number.POSITIVE_INFINITY,
): NormalizedAlert {
  const prefix = parseTitlePrefix(event.title ?? event.alertTitle ?? '');
  const link = findMonitorLink([event.message, event.textOnlyMessage, event.link]);
  const monitorId = event.monitorId ?? link?.monitorId;
  const scope = event.scope ?? link?.group ?? prefix.scope;

  // State: the transition, else the alert type, else the title's `[Recovered]`/`[Triggered]`; else
  // firing, since a notification nobody can classify is more likely a problem than a recovery.
  const status: AlertStatus =
    statusFromTransition(event.transition) ??
    statusFromAlertType(event.alertType) ??
    prefix.status ??
    'firing';

  const labels = tagsToLabels(parseTags(event.tags, maxTagKeys));
  // Group tags identify the alert; add them when the template has no `$TAGS`.
  for (const [key, value] of Object.entries(tagsToLabels(parseTags(scope, maxTagKeys)))) {
    if (key !== '*' && !Object.hasOwn(labels, key)) setLabel(labels, key, value);
  }
  if (monitorId) labels.monitor_id = monitorId;
  const priority =
    event.priority && PRIORITY.test(event.priority) ? event.priority.toUpperCase() : prefix.priority;
  if (priority) labels.priority = priority;
  if (event.hostname) labels.hostname = event.hostname;
  if (prefix.test) labels.test = 'true';

  const date = event.date ? parseDatadogDate(event.date) : undefined;
  const at = date ?? receivedAt;
  return {
    source: 'datadog',
    fingerprint: shortHash(identityKey(event, body, monitorId, scope, prefix.rest)),
    status,
    labels,
    annotations: annotationsOf(event, scope),
    title: prefix.rest || event.alertTitle || (monitorId ? `Datadog monitor ${monitorId}` : 'Datadog event'),
    // One event carries one time: when this transition happened.
    startsAt: at,
    endsAt: status === 'resolved' ? at : null,
    generatorUrl: event.link ?? null,
    raw: body,
  };
}

/**
 * Identity, most specific first: monitor + group; the trigger→recover cycle key; the monitor and
 * group from the body's link (default payload); the title without its state prefix; the body minus
 * per-event fields. Never the event `id`, which is new for every notification.
 */
function identityKey(
  event: DatadogEvent,
  body: DatadogBody,
  monitorId: string | undefined,
  scope: string | undefined,
  titleRest: string,
): string {
  if (event.monitorId) return monitorKey(event.monitorId, scope);
  if (event.cycleKey) return `cycle:${event.cycleKey}`;
  if (monitorId) return monitorKey(monitorId, scope);
  if (titleRest) return `title:${titleRest}|${normalizeScope(scope)}|org:${event.orgId ?? ''}`;
  return `body:${canonicalJson(body, isVolatileKey)}`;
}

const VOLATILE = new Set([
  'id',
  'eventid',
  'date',
  'lastupdated',
  'dateposix',
  'lastupdatedposix',
  'url',
  'link',
]);

function isVolatileKey(key: string): boolean {
  return VOLATILE.has(key.toLowerCase().replace(/[^a-z]/g, ''));
}

function annotationsOf(event: DatadogEvent, scope: string | undefined): Record<string, string> {
  const all: Record<string, string | undefined> = {
    summary: event.alertStatus,
    description: unwrapMarkdown(event.textOnlyMessage ?? event.message),
    event_title: event.title ?? event.alertTitle,
    event_id: event.eventId,
    event_type: event.eventType,
    alert_type: event.alertType,
    alert_transition: event.transition,
    alert_cycle_key: event.cycleKey,
    aggreg_key: event.aggregKey,
    scope,
    query: event.query,
    metric: event.metric,
    snapshot: event.snapshot,
    org_id: event.orgId,
    org_name: event.orgName,
  };
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(all)) if (value !== undefined) annotations[key] = value;
  return annotations;
}

/** `$EVENT_MSG` comes wrapped in Datadog's markdown fence `%%%\n…\n%%%`. */
function unwrapMarkdown(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return (
    text
      .replace(/^%%%\s*/, '')
      .replace(/\s*%%%$/, '')
      .trim() || undefined
  );
}
