import type { StatusSnapshot } from '../../publish/status-snapshot.ts';
import { type IncidentVM, incidentView } from './incident-view.ts';
import { type LayoutOptions, type LayoutVM, layoutView } from './layout.ts';

/** Data for incident.eta: one incident's public history. */
export interface IncidentPageVM extends LayoutVM {
  incident: IncidentVM;
}

/** null when the incident is not in this snapshot (unknown, unpublished, or another customer's): answer 404. */
export function incidentPageView(
  s: StatusSnapshot,
  incidentId: string,
  options: LayoutOptions = {},
): IncidentPageVM | null {
  const incident = s.incidents.find((i) => i.id === incidentId);
  if (!incident) return null;
  return {
    ...layoutView(s, `${incident.name} - ${s.page.name}`, options),
    incident: incidentView(s, incident, options.basePath ?? ''),
  };
}
