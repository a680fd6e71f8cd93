import type { Incident, IncidentEvent } from './incident.ts';

/**
 * One incident's new state and the timeline events that led to it, written in one transaction (incident row,
 * events, SLA clocks, outbox) and announced after commit (metrics, snapshot, sockets).
 */
export interface IncidentChange {
  incident: Incident;
  created: boolean;
  events: IncidentEvent[];
}
