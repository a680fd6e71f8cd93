import type { AlertStatus, NormalizedAlert } from '../../core/alert.ts';
import { alertmanagerAlertToNormalized, type GroupContext } from '../alertmanager/to-raw.ts';
import type { GrafanaAlert, GrafanaBody, GrafanaLegacyBody } from './payload.ts';

const SOURCE = 'grafana';

export function grafanaBodyToNormalized(
  body: GrafanaBody,
  rawAlerts: readonly unknown[],
  receivedAt: Date,
): NormalizedAlert[] {
  const ctx: GroupContext = {
    source: SOURCE,
    receivedAt,
    groupLabels: body.groupLabels ?? {},
    commonLabels: body.commonLabels ?? {},
    fallbackTitle: body.title?.trim() || undefined,
  };
  return body.alerts.map((alert, i) => {
    const normalized = alertmanagerAlertToNormalized(alert, rawAlerts[i], ctx);
    // Extras are display data, never identity: annotations, without overriding the rule's own.
    addMissing(normalized.annotations, grafanaExtras(alert, body.orgId));
    if (isTestNotification(normalized.labels, normalized.annotations)) normalized.labels.test = 'true';
    return normalized;
  });
}

function grafanaExtras(
  alert: GrafanaAlert,
  bodyOrgId: string | undefined,
): Record<string, string | undefined> {
  return {
    valueString: alert.valueString,
    values: valuesText(alert.values),
    imageURL: alert.imageURL,
    dashboardURL: alert.dashboardURL,
    panelURL: alert.panelURL,
    silenceURL: alert.silenceURL,
    ruleUID: alert.ruleUID,
    orgId: alert.orgId ?? bodyOrgId,
  };
}

/** `values` is refId → number; anything else in it is not Grafana's and is left to `raw`. */
function valuesText(values: unknown): string | undefined {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) return undefined;
  const scalars = Object.entries(values).filter(([, v]) => v === null || typeof v !== 'object');
  return scalars.length ? JSON.stringify(Object.fromEntries(scalars)) : undefined;
}

/** The contact point's "Test" button: `alertname=TestAlert`, `summary=Notification test`. */
function isTestNotification(labels: Record<string, string>, annotations: Record<string, string>): boolean {
  return (
    labels.alertname === 'TestAlert' &&
    (annotations.summary === 'Notification test' || labels.instance === 'Grafana')
  );
}

/**
 * Legacy state → status. `paused` is resolved: a paused rule never evaluates again, so a firing
 * alert would stay open forever. `pending` is firing: the condition is breaching; surfacing it
 * early beats losing it (legacy Grafana rarely notifies on pending anyway).
 */
const LEGACY_STATUS: Record<string, AlertStatus> = {
  alerting: 'firing',
  no_data: 'firing',
  pending: 'firing',
  ok: 'resolved',
  paused: 'resolved',
};

export function grafanaLegacyBodyToNormalized(
  body: GrafanaLegacyBody,
  raw: unknown,
  receivedAt: Date,
): NormalizedAlert {
  const status = LEGACY_STATUS[body.state ?? 'alerting'] ?? 'firing';
  const labels: Record<string, string> = { ...(body.tags ?? {}) };
  const ruleName = body.ruleName?.trim();
  if (ruleName && labels.alertname === undefined) labels.alertname = ruleName;
  // Legacy test notifications ("Test notification", ruleId 0) are marked like unified ones.
  if (ruleName === 'Test notification') labels.test = 'true';
  const annotations: Record<string, string> = {};
  addMissing(annotations, {
    description: body.message,
    state: body.state ?? undefined,
    ruleId: body.ruleId?.toString(),
    ruleUrl: body.ruleUrl,
    imageURL: body.imageUrl,
    dashboardId: body.dashboardId,
    panelId: body.panelId,
    orgId: body.orgId,
    evalMatches: body.evalMatches?.length ? JSON.stringify(body.evalMatches) : undefined,
  });
  // The rule is the identity: legacy alerting has one alert per rule and no fingerprint.
  const ruleKey = body.ruleId ?? `name:${ruleName ?? body.title ?? ''}`;
  return {
    source: SOURCE,
    fingerprint: `legacy-${body.orgId ?? 0}-${ruleKey}`,
    status,
    labels,
    annotations,
    title: labels.alertname || body.title?.trim() || `Grafana rule ${ruleKey}`,
    // Legacy bodies carry no times: the receive time stands in.
    startsAt: receivedAt,
    endsAt: status === 'resolved' ? receivedAt : null,
    generatorUrl: body.ruleUrl || null,
    raw,
  };
}

function addMissing(target: Record<string, string>, extra: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined && value !== '' && target[key] === undefined) target[key] = value;
  }
}
