import type { IncidentEvent } from '../core/incident.ts';
import type { IncidentChange } from '../core/incident-change.ts';
import type { EventBus } from '../publish/event-bus.ts';
import type { Metrics } from '../telemetry/metrics.ts';

const seconds = (from: Date, to: Date) => Math.max(0, (to.getTime() - from.getTime()) / 1000);

/**
 * Timeline kinds that change what the status page or a customer's view shows of a published incident.
 * Alerts joining, acknowledgement, owners, notes, SLA clocks and notifications change nothing public, so
 * they cost no snapshot rebuild (most webhooks only attach alerts to an incident already on the page).
 */
const PUBLIC_KINDS = new Set([
  'opened',
  'published',
  'update.posted',
  'severity.changed',
  'component.status',
  'customer.added',
  'resolved',
  'reopened',
]);

/** After commit: count what happened and tell the sinks. Never before commit, never for a rolled-back change. */
export function announceIncidentChanges(
  deps: { metrics: Metrics; bus: EventBus },
  changes: IncidentChange[],
): void {
  for (const { incident, created, events } of changes) {
    if (created) {
      deps.metrics.incidentsOpened.inc({ severity: incident.severity, rule: incident.rule ?? 'manual' });
      const opened = events.find((e) => e.kind === 'opened');
      const first = opened?.data.firstAlertAt;
      if (typeof first === 'string' || first instanceof Date) {
        deps.metrics.timeToDetect.observe(
          { severity: incident.severity },
          seconds(new Date(first), incident.openedAt),
        );
      }
    }
    if (events.some((e) => e.kind === 'resolved') && incident.resolvedAt) {
      deps.metrics.timeToResolve.observe(
        { severity: incident.severity },
        seconds(incident.openedAt, incident.resolvedAt),
      );
    }
    if (events.some((e) => e.kind === 'acknowledged') && incident.acknowledgedAt) {
      deps.metrics.timeToAcknowledge.observe(
        { severity: incident.severity },
        seconds(incident.openedAt, incident.acknowledgedAt),
      );
    }
    deps.bus.emit({
      type: 'incident.changed',
      incidentId: incident.id,
      kinds: [...new Set(events.map((e: IncidentEvent) => e.kind))],
      public: incident.published && events.some((e) => PUBLIC_KINDS.has(e.kind)),
    });
  }
}
