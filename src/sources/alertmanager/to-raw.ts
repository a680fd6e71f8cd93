import type { AlertStatus, NormalizedAlert } from '../../core/alert.ts';
import { alertmanagerFingerprint } from './fingerprint.ts';
import type { AlertmanagerAlert, AlertmanagerBody } from './payload.ts';
import { parseRfc3339 } from './rfc3339.ts';

export interface GroupContext {
  source: string;
  receivedAt: Date;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  /** Title when neither `summary` nor `alertname` is set (Grafana: the body's `title`). */
  fallbackTitle?: string;
}

/**
 * One Alertmanager-shaped alert (also Grafana's) to the normalized model.
 * `raw` is the sender's entry as received, not the schema's stripped copy.
 */
export function alertmanagerAlertToNormalized(
  alert: AlertmanagerAlert,
  raw: unknown,
  ctx: GroupContext,
): NormalizedAlert {
  const own = alert.labels ?? {};
  // Group/common labels describe every alert of the group; the alert's own values win.
  const labels = { ...ctx.groupLabels, ...ctx.commonLabels, ...own };
  const annotations = { ...(alert.annotations ?? {}) };
  const startsAt = timeOrUndefined(alert.startsAt) ?? ctx.receivedAt;
  const endsAt = timeOrUndefined(alert.endsAt);
  const status: AlertStatus =
    alert.status ?? (endsAt && endsAt.getTime() <= ctx.receivedAt.getTime() ? 'resolved' : 'firing');
  // Fingerprint is over the alert's own labels, as Alertmanager computes it.
  const fingerprint = alert.fingerprint || alertmanagerFingerprint(own);
  return {
    source: ctx.source,
    fingerprint,
    status,
    labels,
    annotations,
    title: annotations.summary || labels.alertname || ctx.fallbackTitle || `alert ${fingerprint}`,
    startsAt,
    // The model keeps endsAt null while firing; a resolved alert without one ended when we heard of it.
    endsAt: status === 'firing' ? null : (endsAt ?? ctx.receivedAt),
    generatorUrl: alert.generatorURL || null,
    raw,
  };
}

export function alertmanagerBodyToNormalized(
  body: AlertmanagerBody,
  rawAlerts: readonly unknown[],
  receivedAt: Date,
): NormalizedAlert[] {
  const ctx: GroupContext = {
    source: 'alertmanager',
    receivedAt,
    groupLabels: body.groupLabels ?? {},
    commonLabels: body.commonLabels ?? {},
  };
  return body.alerts.map((alert, i) => alertmanagerAlertToNormalized(alert, rawAlerts[i], ctx));
}

/** Missing, empty and Go's zero time all mean "no time given". */
function timeOrUndefined(text: string | null | undefined): Date | undefined {
  if (!text) return undefined;
  const parsed = parseRfc3339(text);
  return parsed?.kind === 'time' ? parsed.date : undefined;
}

/** A count from the wire: anything but a non-negative integer (old AM omits it) is 0. */
export function countOrZero(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}
