import type { IncidentEventDraft } from '../correlate.ts';
import { formatDuration } from '../duration.ts';
import type { Incident } from '../incident.ts';

/** All alerts resolved and resolve_after has passed (autoResolveAt is only set when resolve_after > 0). */
export function autoResolveDue(incident: Incident, now: Date): boolean {
  return (
    incident.state !== 'resolved' &&
    incident.firingCount === 0 &&
    incident.autoResolveAt !== null &&
    incident.autoResolveAt.getTime() <= now.getTime()
  );
}

export const AUTO_RESOLVE_MESSAGE = 'This incident has been resolved.';

/** Resolves by the rule; a published incident also gets a public closing update so the page says so. */
export function autoResolve(
  incident: Incident,
  now: Date,
): { incident: Incident; events: IncidentEventDraft[] } {
  const actor = `rule:${incident.rule ?? 'unknown'}`;
  const quietMs =
    incident.lastResolvedAlertAt && incident.autoResolveAt
      ? incident.autoResolveAt.getTime() - incident.lastResolvedAlertAt.getTime()
      : 0;
  const resolved: Incident = {
    ...incident,
    state: 'resolved',
    status: 'resolved',
    resolvedAt: now,
    autoResolveAt: null,
  };
  const events: IncidentEventDraft[] = [
    {
      at: now,
      kind: 'resolved',
      actor,
      visibility: 'internal',
      data: {
        reason: `all alerts resolved for ${formatDuration(quietMs)} (resolve_after)`,
        lastResolvedAlertAt: incident.lastResolvedAlertAt?.toISOString() ?? null,
      },
    },
  ];
  if (incident.published) {
    events.push({
      at: now,
      kind: 'update.posted',
      actor,
      visibility: 'public',
      data: { status: 'resolved', message: AUTO_RESOLVE_MESSAGE },
    });
  }
  return { incident: resolved, events };
}
