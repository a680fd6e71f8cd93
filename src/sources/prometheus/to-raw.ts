import type { NormalizedAlert } from '../../core/alert.ts';
import { parseRfc3339 } from '../alertmanager/rfc3339.ts';
import { alertmanagerAlertToNormalized } from '../alertmanager/to-raw.ts';
import type { PostableAlert } from './payload.ts';

export const PROMETHEUS_SOURCE = 'prometheus';

/**
 * A postable alert as Alertmanager's API takes it: status from `endsAt` (past or now: resolved), identity
 * Alertmanager's label fingerprint, and `expiresAt` the future `endsAt` Prometheus sets on every send
 * (now + 4 × max(evaluation interval, resend delay)); null when it sent none, and the expiry job then applies
 * resolve_timeout from the last time it was seen, as Alertmanager does.
 */
export function postableAlertToNormalized(
  alert: PostableAlert,
  raw: unknown,
  receivedAt: Date,
): NormalizedAlert {
  const normalized = alertmanagerAlertToNormalized({ ...alert, status: null, fingerprint: null }, raw, {
    source: PROMETHEUS_SOURCE,
    receivedAt,
    groupLabels: {},
    commonLabels: {},
  });
  const end = alert.endsAt ? parseRfc3339(alert.endsAt) : undefined;
  const expiresAt = normalized.status === 'firing' && end?.kind === 'time' ? end.date : null;
  return { ...normalized, expiresAt };
}
