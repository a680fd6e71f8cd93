import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { customerSla } from './customer-sla.ts';
import { incidentKpis } from './incident-kpis.ts';
import { incidentdService } from './incidentd-service.ts';

/** Each committed dashboard file and the builder that produces it. */
export const dashboards: Record<string, () => dashboard.Dashboard> = {
  'incident-kpis.json': incidentKpis,
  'customer-sla.json': customerSla,
  'incidentd-service.json': incidentdService,
};

/** The exact file text: pretty-printed, key order as the builders emit it, final newline. */
export function render(built: dashboard.Dashboard): string {
  return `${JSON.stringify(built, null, 2)}\n`;
}
