import type { Notice } from '../../core/notification-routing.ts';
import type { Severity } from '../../core/severity.ts';

/** The fields of a v1 `EventCreateRequest` we set (the client's model uses these camelCase names). */
export interface DatadogEventRequest {
  title: string;
  text: string;
  tags: string[];
  alertType: 'error' | 'warning' | 'info' | 'success';
  aggregationKey: string;
  /** POSIX seconds: when the transition happened, not when a retry finally delivered it. */
  dateHappened: number;
  priority: 'normal';
}

const ALERT_TYPE: Record<Severity, DatadogEventRequest['alertType']> = {
  SEV1: 'error',
  SEV2: 'error',
  SEV3: 'warning',
  SEV4: 'info',
};

// Datadog's documented limits: title 100 characters (longer ones are cut), text 4000.
const TITLE_MAX = 100;
const TEXT_MAX = 4000;

/** The tag that names one outbox delivery, so a retry can find an event an earlier attempt already created. */
export function deliveryTag(incidentId: string, outboxId: number): string {
  return `incidentd_delivery:${incidentId}.${outboxId}`;
}

const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/**
 * One incident transition as a Datadog event. The public page is linked only when the incident is
 * published (an unpublished one has no public page); `aggregation_key` = incident id so Datadog groups an
 * incident's events together.
 */
export function buildDatadogEvent(
  notice: Notice,
  opts: { internalUrl: string; publicUrl: string | null; deliveryTag: string },
): DatadogEventRequest {
  const i = notice.incident;
  const facts = [
    `**${i.title}**`,
    '',
    `Severity: ${i.severity} · State: ${i.state} · Status: ${i.status}`,
    ...(i.owner ? [`Owner: ${i.owner}`] : []),
    ...(i.customers.length ? [`Customers: ${i.customers.join(', ')}`] : []),
    ...(i.components.length ? [`Components: ${i.components.join(', ')}`] : []),
    ...(typeof notice.details.reason === 'string' ? [`Reason: ${notice.details.reason}`] : []),
  ].join('\n');
  const links = [
    `[Internal timeline](${opts.internalUrl})`,
    ...(opts.publicUrl ? [`[Public incident page](${opts.publicUrl})`] : []),
  ].join('\n');
  // %%% fences make Datadog render the text as Markdown; the links survive however long the facts are.
  const open = '%%% \n';
  const close = '\n %%%';
  const room = TEXT_MAX - open.length - close.length - links.length - 2;
  const text = `${open}${cut(facts, room)}\n\n${links}${close}`;
  return {
    title: cut(notice.headline, TITLE_MAX),
    text,
    tags: [
      `incident_id:${i.id}`,
      `severity:${i.severity}`,
      ...i.components.map((c) => `service:${c}`),
      'source:incidentd',
      `incidentd_event:${notice.event}`,
      opts.deliveryTag,
    ],
    alertType: notice.event === 'incident.resolved' ? 'success' : ALERT_TYPE[i.severity],
    aggregationKey: i.id,
    dateHappened: Math.floor(Date.parse(notice.at) / 1000),
    priority: 'normal',
  };
}
