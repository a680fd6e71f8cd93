import type { Catalog } from '../catalog.ts';
import { DomainError } from '../core/errors.ts';
import { monthWindow, type ReportMonth, type SlaReport, shapeReport } from '../core/sla-report.ts';
import type { Clock } from '../pipeline/ports.ts';
import type { Db } from '../store/db.ts';
import { slaReportAggregates } from '../store/sla-report.ts';

export interface ReportDeps {
  db: Db;
  clock: Clock;
  catalog: Pick<Catalog, 'customers' | 'status_page'>;
}

/** `customer=ID`: any id (ids outside the catalog are reportable too), bounded. */
export function parseCustomer(value: string | undefined): string | null {
  if (value === undefined || value.trim() === '') return null;
  if (value.length > 200) throw new DomainError('invalid', 'customer: at most 200 characters');
  return value;
}

/** Months follow the status page's time zone: the one customers read times in. */
export async function loadSlaReport(
  deps: ReportDeps,
  month: ReportMonth,
  customer: string | null,
): Promise<SlaReport> {
  const timeZone = deps.catalog.status_page.time_zone;
  const window = monthWindow(month, timeZone);
  const now = deps.clock.now();
  const aggregates = await slaReportAggregates(deps.db, { ...window, now, customer });
  return shapeReport({
    month,
    timeZone,
    window,
    now,
    customer,
    customerNames: new Map(deps.catalog.customers.map((c) => [c.id, c.name])),
    aggregates,
  });
}

/** A download named after the month (and the customer filter). */
export function csvHeaders(report: SlaReport): Record<string, string> {
  const customer = report.customer === null ? '' : `-${report.customer.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return {
    'Content-Type': 'text/csv; charset=utf-8; header=present',
    'Content-Disposition': `attachment; filename="sla-report-${report.month}${customer}.csv"`,
  };
}
