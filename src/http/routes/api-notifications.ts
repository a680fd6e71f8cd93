import { Hono } from 'hono';
import { DELIVERABLE_TYPES, type NotificationTarget } from '../../core/notification-routing.ts';
import { notificationTargets } from '../../integrations/datadog/targets.ts';
import { deliveryByTarget, type TargetDelivery } from '../../store/outbox.ts';
import type { AppDeps } from '../app-deps.ts';

/** Webhook URLs carry secrets (Slack, Teams): show where they point, not the whole URL. */
function redact(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '/' : '/…'}`;
  } catch {
    return null;
  }
}

type DeliveryStatus = 'not_configured' | 'idle' | 'failing' | 'ok';

/** not_configured: a target nothing is queued for (a datadog target without DD_API_KEY, an unknown type). */
function deliveryStatus(deliverable: boolean, d: TargetDelivery | undefined): DeliveryStatus {
  if (!deliverable) return 'not_configured';
  if (!d) return 'idle';
  const failing = d.lastErrorAt != null && (d.lastSuccessAt === null || d.lastErrorAt > d.lastSuccessAt);
  return failing ? 'failing' : 'ok';
}

function notConfiguredMessage(t: NotificationTarget): string {
  if (t.type === 'datadog') return 'DD_API_KEY is not set: notices to it are skipped';
  return `no ${t.type} sender in this build: notices to it are skipped`;
}

function deliveryCounts(d: TargetDelivery | undefined) {
  return {
    pending: d?.pending ?? 0,
    sent: d?.sent ?? 0,
    failed: d?.failed ?? 0,
    last_success_at: d?.lastSuccessAt?.toISOString() ?? null,
    last_attempt_at: d?.lastAttemptAt?.toISOString() ?? null,
    last_error: d?.lastError ?? null,
    last_error_at: d?.lastErrorAt?.toISOString() ?? null,
  };
}

function targetItem(t: NotificationTarget, d: TargetDelivery | undefined, datadogOn: boolean) {
  const deliverable = DELIVERABLE_TYPES.has(t.type) && (t.type !== 'datadog' || datadogOn);
  return {
    name: t.name,
    type: t.type,
    url: redact(t.url),
    events: t.events,
    min_severity: t.min_severity,
    escalation: t.escalation,
    status: deliveryStatus(deliverable, d),
    status_message: deliverable ? null : notConfiguredMessage(t),
    ...deliveryCounts(d),
  };
}

/** Notification targets and how delivery to them goes (mounted behind the admin token). */
export function notificationApiRoutes(deps: Pick<AppDeps, 'store' | 'config'>): Hono {
  const app = new Hono();
  app.get('/notifications/targets', async (c) => {
    const delivery = new Map((await deliveryByTarget(deps.store.db)).map((d) => [d.target, d]));
    // With DD_API_KEY set, the implicit datadog target is listed too; without it, datadog targets are listed
    // as not_configured.
    const datadogOn = deps.config.datadog != null;
    const catalog = deps.config.catalog.notifications;
    const targets: readonly NotificationTarget[] = datadogOn ? notificationTargets(catalog, true) : catalog;
    const items = targets.map((t) => targetItem(t, delivery.get(t.name), datadogOn));
    return c.json({ items });
  });
  return app;
}
