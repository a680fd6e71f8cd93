import { Hono } from 'hono';
import { DELIVERABLE_TYPES, type NotificationTarget } from '../../core/notification-routing.ts';
import { notificationTargets } from '../../integrations/datadog/targets.ts';
import { deliveryByTarget } from '../../store/outbox.ts';
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
    const items = targets.map((t) => {
      const d = delivery.get(t.name);
      const deliverable = DELIVERABLE_TYPES.has(t.type) && (t.type !== 'datadog' || datadogOn);
      const failing = d?.lastErrorAt != null && (d.lastSuccessAt === null || d.lastErrorAt > d.lastSuccessAt);
      return {
        name: t.name,
        type: t.type,
        url: redact(t.url),
        events: t.events,
        min_severity: t.min_severity,
        escalation: t.escalation,
        // not_configured: a datadog target without DD_API_KEY; nothing is queued for it.
        status: !deliverable ? 'not_configured' : !d ? 'idle' : failing ? 'failing' : 'ok',
        status_message: deliverable
          ? null
          : t.type === 'datadog'
            ? 'DD_API_KEY is not set: notices to it are skipped'
            : `no ${t.type} sender in this build: notices to it are skipped`,
        pending: d?.pending ?? 0,
        sent: d?.sent ?? 0,
        failed: d?.failed ?? 0,
        last_success_at: d?.lastSuccessAt?.toISOString() ?? null,
        last_attempt_at: d?.lastAttemptAt?.toISOString() ?? null,
        last_error: d?.lastError ?? null,
        last_error_at: d?.lastErrorAt?.toISOString() ?? null,
      };
    });
    return c.json({ items });
  });
  return app;
}
