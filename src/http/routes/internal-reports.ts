import { Hono } from 'hono';
import type { Catalog } from '../../catalog.ts';
import { DomainError } from '../../core/errors.ts';
import { monthOf, parseMonth, type ReportMonth, reportToCsv, type SlaReport } from '../../core/sla-report.ts';
import type { Clock } from '../../pipeline/ports.ts';
import type { Db } from '../../store/db.ts';
import { internalAuthOf } from '../middleware/internal-auth.ts';
import { renderReportPage } from '../render.ts';
import { csvHeaders, loadSlaReport, parseCustomer } from '../sla-report-request.ts';
import { internalLayout } from '../view-models/internal-layout.ts';
import { slaReportPageView } from '../view-models/sla-report.ts';

export interface InternalReportDeps {
  db: Db;
  clock: Clock;
  catalog: Pick<Catalog, 'customers' | 'status_page'>;
}

/**
 * /internal/reports (HTML, with SVG charts) and /internal/reports/sla.csv, behind the internal guard
 * (session cookie or admin token). Without `month`, the current month so far, in the report's zone.
 */
export function internalReportRoutes(deps: InternalReportDeps): Hono {
  const app = new Hono();
  const timeZone = deps.catalog.status_page.time_zone;
  const title = deps.catalog.status_page.title;

  const params = (month: string | undefined, customer: string | undefined) => {
    const m: ReportMonth =
      month === undefined || month === '' ? monthOf(deps.clock.now(), timeZone) : parseMonth(month);
    return { month: m, customer: parseCustomer(customer) };
  };

  app.get('/reports', async (c) => {
    const layout = internalLayout(internalAuthOf(c), `SLA report - ${title}`, title, 'reports');
    let month = monthOf(deps.clock.now(), timeZone);
    let customer: string | null = null;
    let report: SlaReport | null = null;
    let error: string | null = null;
    try {
      ({ month, customer } = params(c.req.query('month'), c.req.query('customer')));
      report = await loadSlaReport(deps, month, customer);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      error = err.message;
    }
    const vm = slaReportPageView({
      layout,
      month,
      customer,
      catalogCustomers: deps.catalog.customers,
      timeZone,
      report,
      error,
    });
    return c.html(renderReportPage(vm), error ? 400 : 200);
  });

  app.get('/reports/sla.csv', async (c) => {
    const { month, customer } = params(c.req.query('month'), c.req.query('customer'));
    const report = await loadSlaReport(deps, month, customer);
    return c.body(reportToCsv(report), 200, csvHeaders(report));
  });
  return app;
}
