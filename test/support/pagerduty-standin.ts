import { json, startHttpStandIn } from './http-standin.ts';

export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key?: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
  links?: { href: string; text?: string }[];
  images?: unknown[];
  client?: string;
  client_url?: string;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const ACTIONS = ['trigger', 'acknowledge', 'resolve'];

/** The checks PagerDuty's Events API v2 makes (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/). */
function problems(e: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (typeof e.routing_key !== 'string' || e.routing_key.length !== 32)
    out.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  if (!ACTIONS.includes(String(e.event_action)))
    out.push("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)");
  if (e.dedup_key !== undefined && (typeof e.dedup_key !== 'string' || e.dedup_key.length > 255))
    out.push("'dedup_key' must be a string of at most 255 characters");
  if (e.event_action === 'trigger') {
    const p = e.payload as Record<string, unknown> | undefined;
    if (!p || typeof p !== 'object') return [...out, "'payload' is missing or blank"];
    if (typeof p.summary !== 'string' || !p.summary || p.summary.length > 1024)
      out.push("'payload.summary' is missing, blank or longer than 1024 characters");
    if (typeof p.source !== 'string' || !p.source) out.push("'payload.source' is missing or blank");
    if (!SEVERITIES.includes(String(p.severity))) out.push("'payload.severity' is invalid");
    if (p.timestamp !== undefined && Number.isNaN(Date.parse(String(p.timestamp))))
      out.push("'payload.timestamp' is not ISO 8601");
    const allowed = [
      'summary',
      'source',
      'severity',
      'timestamp',
      'component',
      'group',
      'class',
      'custom_details',
    ];
    for (const k of Object.keys(p))
      if (!allowed.includes(k)) out.push(`'payload.${k}' is not a payload field`);
    if (
      e.links !== undefined &&
      (!Array.isArray(e.links) || e.links.some((l) => typeof l?.href !== 'string'))
    )
      out.push("'links' must be a list of {href, text}");
  } else if (typeof e.dedup_key !== 'string' || !e.dedup_key) {
    out.push(`'dedup_key' is required for ${String(e.event_action)}`);
  }
  return out;
}

/**
 * A local stand-in for PagerDuty's Events API v2 (`POST /v2/enqueue`) on loopback: validates events as PagerDuty
 * does (400 `invalid event` with errors), answers 202 `{status, message, dedup_key}`, and keeps the alert
 * each dedup_key makes (triggered → acknowledged → resolved; acknowledge or resolve of an unknown or resolved
 * alert changes nothing, as in PagerDuty). `replyNext('/v2/enqueue', …)` scripts a 429 or a 5xx.
 */
export async function startPagerDutyStandIn() {
  const events: PagerDutyEvent[] = [];
  const alerts = new Map<
    string,
    { status: 'triggered' | 'acknowledged' | 'resolved'; summary: string; severity: string }
  >();
  const http = await startHttpStandIn((req, raw, res) => {
    if (req.method !== 'POST' || req.url !== '/v2/enqueue') return json(res, 404, { status: 'not found' });
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return json(res, 400, {
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: ['not JSON'],
      });
    }
    const errors = problems(e);
    if (errors.length)
      return json(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors });
    const event = e as unknown as PagerDutyEvent;
    events.push(event);
    const dedup = event.dedup_key ?? `generated-${events.length}`;
    const alert = alerts.get(dedup);
    if (event.event_action === 'trigger') {
      if (!alert || alert.status === 'resolved')
        alerts.set(dedup, {
          status: 'triggered',
          summary: event.payload!.summary,
          severity: event.payload!.severity,
        });
    } else if (alert && alert.status !== 'resolved') {
      alert.status = event.event_action === 'acknowledge' ? 'acknowledged' : 'resolved';
    }
    return json(res, 202, { status: 'success', message: 'Event processed', dedup_key: dedup });
  });
  return { ...http, events, alerts, enqueueUrl: http.url('/v2/enqueue') };
}
