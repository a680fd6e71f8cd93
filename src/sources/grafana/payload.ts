import { z } from 'zod';
import { alertmanagerAlertSchema, stringMap } from '../alertmanager/payload.ts';

/** Informational extras: a wrong type is dropped, not refused (they never decide identity or state). */
const looseText = z
  .unknown()
  .transform((v) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined))
  .optional();

/** Unified alerting (`version: "1"`, Grafana 8..12): the Alertmanager alert plus Grafana's extras. */
export const grafanaAlertSchema = alertmanagerAlertSchema.extend({
  /** refId → number; absent (≤ 9), null (some test notifications) or a map. */
  values: z.unknown().optional(),
  valueString: looseText,
  imageURL: looseText,
  dashboardURL: looseText,
  panelURL: looseText,
  silenceURL: looseText,
  orgId: looseText,
  ruleUID: looseText,
});
export type GrafanaAlert = z.output<typeof grafanaAlertSchema>;

export const grafanaBodySchema = z.object({
  alerts: z.array(grafanaAlertSchema),
  groupLabels: stringMap.nullish(),
  commonLabels: stringMap.nullish(),
  truncatedAlerts: z.number().nullish(),
  title: looseText,
  orgId: looseText,
});
export type GrafanaBody = z.output<typeof grafanaBodySchema>;

export const LEGACY_STATES = ['alerting', 'no_data', 'ok', 'paused', 'pending'] as const;

/** Legacy (pre-unified, Grafana ≤ 8) alerting: one rule, no `alerts[]`. */
export const grafanaLegacyBodySchema = z.object({
  ruleId: z.union([z.number(), z.string()], { error: 'expected number' }).nullish(),
  ruleName: looseText,
  ruleUrl: looseText,
  state: z.enum(LEGACY_STATES).nullish(),
  title: looseText,
  message: looseText,
  imageUrl: looseText,
  orgId: looseText,
  dashboardId: looseText,
  panelId: looseText,
  evalMatches: z.array(z.unknown()).nullish(),
  tags: stringMap.nullish(),
});
export type GrafanaLegacyBody = z.output<typeof grafanaLegacyBodySchema>;

/** Legacy bodies are recognised by their rule fields and the absence of `alerts`. */
export function isLegacyGrafanaBody(body: Record<string, unknown>): boolean {
  if (body.alerts !== undefined && body.alerts !== null) return false;
  return 'ruleId' in body || 'evalMatches' in body || 'ruleName' in body || 'state' in body;
}
