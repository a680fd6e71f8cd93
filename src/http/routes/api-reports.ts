import { Hono } from 'hono';
import { DomainError } from '../../core/errors.ts';
import { parseMonth, reportToCsv } from '../../core/sla-report.ts';
import { csvHeaders, loadSlaReport, parseCustomer, type ReportDeps } from '../sla-report-request.ts';

/**
 * GET /api/v1/reports/sla?month=YYYY-MM[&customer=ID][&format=csv] (mounted behind the admin token).
 * `month` is required here: a script asking for "the default" would get different months over time.
 */
export function reportApiRoutes(deps: ReportDeps): Hono {
  const app = new Hono();
  app.get('/reports/sla', async (c) => {
    const monthParam = c.req.query('month');
    if (monthParam === undefined || monthParam === '') {
      throw new DomainError('invalid', 'month: required, as YYYY-MM (e.g. 2026-11)');
    }
    const month = parseMonth(monthParam);
    const customer = parseCustomer(c.req.query('customer'));
    const format = c.req.query('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') {
      throw new DomainError('invalid', `format: expected json or csv, got ${JSON.stringify(format)}`);
    }
    const report = await loadSlaReport(deps, month, customer);
    if (format === 'json') return c.json(report);
    return c.body(reportToCsv(report), 200, csvHeaders(report));
  });
  return app;
}
