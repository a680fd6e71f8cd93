import { COMPONENT_STATUSES, type ComponentStatus, worseStatus } from './component-status.ts';
import type { PublicStatus } from './incident.ts';
import type { Severity } from './severity.ts';

/**
 * One status calculation for every public surface (page, JSON, feed), Statuspage style.
 *
 * Rules (published here because users rely on them):
 * - A component's status is the worst `componentStatus` among the published, unresolved incidents
 *   that name it. An incident that names a component but sets no `componentStatus` counts as
 *   `degraded_performance`: the incident says the component is affected, not how badly, and
 *   "degraded" is the mildest non-operational claim we can make without overstating.
 * - An active maintenance makes its components `under_maintenance`, unless an incident is worse
 *   (`under_maintenance` ranks just above `operational`, so any incident status wins).
 * - The page indicator is the worst of the component-derived indicator and the impact of every
 *   unresolved incident (so an incident without components still turns the banner).
 */

export type Impact = 'none' | 'minor' | 'major' | 'critical';
/** `maintenance` only when a maintenance is live and nothing is worse (Statuspage emits it too). */
export type Indicator = Impact | 'maintenance';

const INDICATOR_DESCRIPTIONS: Record<Indicator, string> = {
  none: 'All Systems Operational',
  minor: 'Minor Service Outage',
  major: 'Partial System Outage',
  critical: 'Major Service Outage',
  maintenance: 'Service Under Maintenance',
};

/** Best to worst; `maintenance` ranks above `none` and below any outage. */
const INDICATOR_ORDER: readonly Indicator[] = ['none', 'maintenance', 'minor', 'major', 'critical'];

/** Status assumed for a component named by an incident that sets no component status. */
const DEFAULT_INCIDENT_COMPONENT_STATUS: ComponentStatus = 'degraded_performance';

export interface StatusIncident {
  status: PublicStatus;
  components: readonly string[];
  componentStatus: ComponentStatus | null;
  severity?: Severity | null;
}

export interface StatusMaintenance {
  components: readonly string[];
}

export interface PageStatus {
  indicator: Indicator;
  description: string;
}

function isUnresolved(incident: { status: PublicStatus }): boolean {
  return incident.status !== 'resolved';
}

/** Status of one component; `activeMaintenances` must already be filtered to in-progress ones. */
export function componentStatusOf(
  componentId: string,
  incidents: readonly StatusIncident[],
  activeMaintenances: readonly StatusMaintenance[],
): ComponentStatus {
  let status: ComponentStatus = 'operational';
  for (const m of activeMaintenances) {
    if (m.components.includes(componentId)) status = worseStatus(status, 'under_maintenance');
  }
  for (const i of incidents) {
    if (!isUnresolved(i) || !i.components.includes(componentId)) continue;
    status = worseStatus(status, effectiveComponentStatus(i.componentStatus));
  }
  return status;
}

/** What an incident does to the components it names. `operational` is kept: the responder said so. */
function effectiveComponentStatus(componentStatus: ComponentStatus | null): ComponentStatus {
  return componentStatus ?? DEFAULT_INCIDENT_COMPONENT_STATUS;
}

/** Statuses of many components at once, keyed by id. */
export function componentStatuses(
  componentIds: readonly string[],
  incidents: readonly StatusIncident[],
  activeMaintenances: readonly StatusMaintenance[],
): Map<string, ComponentStatus> {
  return new Map(componentIds.map((id) => [id, componentStatusOf(id, incidents, activeMaintenances)]));
}

export function worstComponentStatus(statuses: Iterable<ComponentStatus>): ComponentStatus {
  let worst: ComponentStatus = 'operational';
  for (const s of statuses) worst = worseStatus(worst, s);
  return worst;
}

function indicatorForComponentStatus(status: ComponentStatus): Indicator {
  switch (status) {
    case 'operational':
      return 'none';
    case 'under_maintenance':
      return 'maintenance';
    case 'degraded_performance':
      return 'minor';
    case 'partial_outage':
      return 'major';
    case 'major_outage':
      return 'critical';
  }
}

function worseIndicator(a: Indicator, b: Indicator): Indicator {
  return INDICATOR_ORDER.indexOf(a) >= INDICATOR_ORDER.indexOf(b) ? a : b;
}

/** The page rollup (status.json): worst of component statuses and unresolved incidents' impact. */
export function pageStatus(
  statuses: Iterable<ComponentStatus>,
  incidents: readonly StatusIncident[] = [],
): PageStatus {
  let indicator: Indicator = indicatorForComponentStatus(worstComponentStatus(statuses));
  for (const i of incidents) {
    if (isUnresolved(i)) indicator = worseIndicator(indicator, incidentImpact(i));
  }
  return { indicator, description: INDICATOR_DESCRIPTIONS[indicator] };
}

const SEVERITY_IMPACT: Record<Severity, Impact> = {
  SEV1: 'critical',
  SEV2: 'major',
  SEV3: 'minor',
  SEV4: 'none',
};

const STATUS_IMPACT: Record<ComponentStatus, Impact> = {
  operational: 'none',
  under_maintenance: 'none',
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
};

/**
 * Statuspage `impact`: from severity when there is one (SEV1 critical, SEV2 major, SEV3 minor,
 * SEV4 none), else from the component status the incident sets.
 */
export function incidentImpact(incident: {
  severity?: Severity | null;
  componentStatus?: ComponentStatus | null;
}): Impact {
  if (incident.severity) return SEVERITY_IMPACT[incident.severity];
  return incident.componentStatus ? STATUS_IMPACT[incident.componentStatus] : 'none';
}

/** Non-operational statuses, best to worst (handy for legends and per-status minute counts). */
export const NON_OPERATIONAL_STATUSES = COMPONENT_STATUSES.filter(
  (s): s is Exclude<ComponentStatus, 'operational'> => s !== 'operational',
);
