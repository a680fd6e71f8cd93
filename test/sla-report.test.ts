import { beforeAll, describe, expect, it } from 'vitest';
import { csvField, monthWindow, parseMonth } from '../src/core/sla-report.ts';
import { ManualClock } from '../src/pipeline/ports.ts';
import { apiCallAsAlice } from './support/api.ts';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';

// Monthly SLA report over a scripted month in simulated time. The sample catalog's zone is Europe/Berlin
// (CET, UTC+1, all of November 2026), so November runs from 2026-10-31T23:00Z to 2026-11-30T23:00Z.
// Sample policies used here (acknowledge / owner / update_every / resolve):
//   premium  SEV1: 5m / 15m / 30m / 4h      standard SEV2: 30m / 1h / 2h / 1d
//   standard SEV3: 4h / 1d / 1d / 7d        premium  SEV2: 15m / 30m / 1h / 8h
// acme and globex are premium, initech standard; zeta-corp is not in the catalog (default tier: standard).

const MIN = 60_000;
type App = Awaited<ReturnType<typeof createTestApp>>;
type Json = Record<string, unknown>;
type Share = { met: number; missed: number; pending: number; share: number | null };
type Stats = {
  incidents: number;
  mtta_seconds: { mean: number | null; p90: number | null; count: number };
  mttr_seconds: { mean: number | null; p90: number | null; count: number };
  targets: Record<'acknowledge' | 'owner' | 'update' | 'resolve', Share>;
};
type Report = {
  month: string;
  time_zone: string;
  from: string;
  to: string;
  customer: string | null;
  definitions: Record<string, string>;
  rows: (Stats & { customer: string | null; customer_name: string | null; severity: string })[];
  customers: (Stats & { customer: string | null; customer_name: string | null })[];
  totals: Stats & { by_severity: (Stats & { severity: string })[] };
};

const s = (met: number, missed: number, pending: number, share: number | null): Share => ({
  met,
  missed,
  pending,
  share,
});
const NONE = s(0, 0, 0, null);
const d = (mean: number | null, p90: number | null, count: number) => ({ mean, p90, count });

describe('SLA report months', () => {
  it('parses YYYY-MM only and names the parameter otherwise', () => {
    expect(parseMonth('2026-11')).toEqual({ year: 2026, month: 11 });
    for (const bad of ['2026-13', '2026-1', '26-11', 'november', '2026-11-01', '']) {
      expect(() => parseMonth(bad)).toThrow(/^month: expected YYYY-MM/);
    }
  });

  it('windows are local midnight to local midnight, across a DST change', () => {
    const iso = (w: { from: Date; to: Date }) => [w.from.toISOString(), w.to.toISOString()];
    expect(iso(monthWindow({ year: 2026, month: 11 }, 'Europe/Berlin'))).toEqual([
      '2026-10-31T23:00:00.000Z',
      '2026-11-30T23:00:00.000Z',
    ]);
    // March 2026: CET at the start, CEST (UTC+2) from the 29th.
    expect(iso(monthWindow({ year: 2026, month: 3 }, 'Europe/Berlin'))).toEqual([
      '2026-02-28T23:00:00.000Z',
      '2026-03-31T22:00:00.000Z',
    ]);
    expect(iso(monthWindow({ year: 2026, month: 12 }, 'America/New_York'))).toEqual([
      '2026-12-01T05:00:00.000Z',
      '2027-01-01T05:00:00.000Z',
    ]);
    expect(iso(monthWindow({ year: 2026, month: 2 }, 'Etc/UTC'))).toEqual([
      '2026-02-01T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ]);
  });

  it('quotes CSV fields as RFC 4180 says and defuses spreadsheet formulas', () => {
    expect(csvField('Acme, Inc. "the" best')).toBe('"Acme, Inc. ""the"" best"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(null)).toBe('');
    expect(csvField(0.5)).toBe('0.5');
  });
});

describeEachDatabase('SLA report over a scripted month', ({ store }) => {
  let t: App;
  const ids: Record<string, string> = {};

  const call = (method: string, path: string, body?: unknown) => apiCallAsAlice(t.app, method, path, body);
  const post = (path: string, body: unknown = {}) => call('POST', path, body);
  const report = async (query: string) => (await call('GET', `/reports/sla?${query}`)) as unknown as Report;

  /** Sets the clock to `base + minutes`, then acts. */
  const at = (base: string, minutes: number) =>
    t.clock.set(new Date(new Date(base).getTime() + minutes * MIN));
  const declare = async (name: string, openedAt: string, body: Json) => {
    t.clock.set(openedAt);
    ids[name] = String((await post('/incidents', { title: `Incident ${name}`, ...body })).id);
    return ids[name]!;
  };

  beforeAll(async () => {
    t = await createTestApp(store(), { clock: new ManualClock(new Date('2026-10-31T22:00:00Z')) });

    // A: 23:30 on 31 October in Berlin: October. acme SEV1 (premium). Acknowledged at +2m, resolved at +40m
    // without an owner or update and with no SLA job run: the owner (due +15m) and update (due +30m)
    // clocks are cancelled after their due time: both missed.
    const A = '2026-10-31T22:30:00Z';
    await declare('A', A, { severity: 'SEV1', customers: ['acme'] });
    at(A, 2);
    await post(`/incidents/${ids.A}/acknowledge`);

    // B: 00:05 on 1 November in Berlin (still October in UTC): November. acme + initech SEV1: premium
    // clocks (the strictest tier). ack +3m (met, due 5m); the job at +16m breaches owner (due 15m);
    // owner at +20m; update at +25m (met, due 30m) promising the next in 30m (due +55m); resolved at +50m
    // with a public closing update (second update clock met) and resolve met (due 4h).
    const B = '2026-10-31T23:05:00Z';
    await declare('B', B, { severity: 'SEV1', customers: ['acme', 'initech'] });
    at(B, 3);
    await post(`/incidents/${ids.B}/acknowledge`);
    at(A, 40); // = B + 5m
    await post(`/incidents/${ids.A}/resolve`);
    at(B, 16);
    await t.runJobs();
    at(B, 20);
    await post(`/incidents/${ids.B}/assign`, { owner: 'bob' });
    at(B, 25);
    await post(`/incidents/${ids.B}/updates`, {
      status: 'identified',
      message: 'Found it.',
      next_update_in: '30m',
    });
    at(B, 50);
    await post(`/incidents/${ids.B}/resolve`, { message: 'Fixed.' });

    // C: acme SEV1. The job at +6m breaches acknowledge (due 5m); ack +10m; owner +12m (met, due 15m);
    // the job at +31m breaches update (due 30m; never published); resolved at +2h (resolve met).
    const C = '2026-11-10T09:00:00Z';
    await declare('C', C, { severity: 'SEV1', customers: ['acme'] });
    at(C, 6);
    await t.runJobs();
    at(C, 10);
    await post(`/incidents/${ids.C}/acknowledge`);
    at(C, 12);
    await post(`/incidents/${ids.C}/assign`, { owner: 'carol' });
    at(C, 31);
    await t.runJobs();
    at(C, 120);
    await post(`/incidents/${ids.C}/resolve`);

    // D: initech SEV2 (standard). ack +20m (met, due 30m); resolved at +45m: owner (due 1h) and update
    // (due 2h) are cancelled before due and not counted; resolve met.
    const D = '2026-11-12T12:00:00Z';
    await declare('D', D, { severity: 'SEV2', customers: ['initech'] });
    at(D, 20);
    await post(`/incidents/${ids.D}/acknowledge`);
    at(D, 45);
    await post(`/incidents/${ids.D}/resolve`);

    // E: zeta-corp (not in the catalog: standard) SEV2. ack +40m with no job run in between: met late,
    // missed. Left open: by report time owner, update and resolve are all past due: missed.
    const E = '2026-11-20T08:00:00Z';
    await declare('E', E, { severity: 'SEV2', customers: ['zeta-corp'] });
    at(E, 40);
    await post(`/incidents/${ids.E}/acknowledge`);

    // F: 23:00 on 30 November in Berlin, SEV3 without customers (default tier): untouched, all pending.
    await declare('F', '2026-11-30T22:00:00Z', { severity: 'SEV3' });
    // G: 00:30 on 1 December in Berlin (still November in UTC): December. globex SEV2.
    await declare('G', '2026-11-30T23:30:00Z', { severity: 'SEV2', customers: ['globex'] });

    t.clock.set('2026-11-30T23:45:00Z');
    await t.runJobs();
  }, 120_000);

  it('November: per customer and severity, by hand', async () => {
    const r = await report('month=2026-11');
    expect(r).toMatchObject({
      month: '2026-11',
      time_zone: 'Europe/Berlin',
      from: '2026-10-31T23:00:00.000Z',
      to: '2026-11-30T23:00:00.000Z',
      customer: null,
    });
    expect(r.definitions.targets).toContain('share = met / (met + missed)');
    expect(r.rows.map((x) => [x.customer, x.severity, x.incidents])).toEqual([
      ['acme', 'SEV1', 2], // B, C (A is October)
      ['initech', 'SEV1', 1], // B
      ['initech', 'SEV2', 1], // D
      ['zeta-corp', 'SEV2', 1], // E
      [null, 'SEV3', 1], // F (G is December)
    ]);
    const [acme1, initech1, initech2, zeta2, none3] = r.rows;

    // acme SEV1 = B, C. tta 3m, 10m = 180, 600 s: mean 390; p90 = 180 + 0.9 × (600 − 180) = 558.
    // ttr 50m, 120m = 3000, 7200 s: mean 5100; p90 = 3000 + 0.9 × 4200 = 6780.
    expect(acme1).toEqual({
      customer: 'acme',
      customer_name: 'Acme Corp',
      severity: 'SEV1',
      incidents: 2,
      mtta_seconds: d(390, 558, 2),
      mttr_seconds: d(5100, 6780, 2),
      targets: {
        acknowledge: s(1, 1, 0, 0.5), // B met, C breached
        owner: s(1, 1, 0, 0.5), // B breached, C met
        update: s(2, 1, 0, 0.6667), // B two updates in time, C breached: 2 / 3
        resolve: s(2, 0, 0, 1),
      },
    });
    // initech SEV1 = B alone.
    expect(initech1).toEqual({
      customer: 'initech',
      customer_name: 'Initech',
      severity: 'SEV1',
      incidents: 1,
      mtta_seconds: d(180, 180, 1),
      mttr_seconds: d(3000, 3000, 1),
      targets: {
        acknowledge: s(1, 0, 0, 1),
        owner: s(0, 1, 0, 0),
        update: s(2, 0, 0, 1),
        resolve: s(1, 0, 0, 1),
      },
    });
    // initech SEV2 = D: tta 20m = 1200 s, ttr 45m = 2700 s; owner and update cancelled before due.
    expect(initech2).toEqual({
      customer: 'initech',
      customer_name: 'Initech',
      severity: 'SEV2',
      incidents: 1,
      mtta_seconds: d(1200, 1200, 1),
      mttr_seconds: d(2700, 2700, 1),
      targets: { acknowledge: s(1, 0, 0, 1), owner: NONE, update: NONE, resolve: s(1, 0, 0, 1) },
    });
    // zeta-corp SEV2 = E: not in the catalog, so no name; tta 40m = 2400 s; not resolved: no ttr.
    expect(zeta2).toEqual({
      customer: 'zeta-corp',
      customer_name: null,
      severity: 'SEV2',
      incidents: 1,
      mtta_seconds: d(2400, 2400, 1),
      mttr_seconds: d(null, null, 0),
      targets: {
        acknowledge: s(0, 1, 0, 0),
        owner: s(0, 1, 0, 0),
        update: s(0, 1, 0, 0),
        resolve: s(0, 1, 0, 0),
      },
    });
    // No customer, SEV3 = F: opened 1h45m before the report; every clock still running.
    expect(none3).toEqual({
      customer: null,
      customer_name: null,
      severity: 'SEV3',
      incidents: 1,
      mtta_seconds: d(null, null, 0),
      mttr_seconds: d(null, null, 0),
      targets: {
        acknowledge: s(0, 0, 1, null),
        owner: s(0, 0, 1, null),
        update: s(0, 0, 1, null),
        resolve: s(0, 0, 1, null),
      },
    });
  });

  it('November: per customer across severities, and totals counting each incident once', async () => {
    const r = await report('month=2026-11');
    expect(r.customers.map((c) => [c.customer, c.incidents])).toEqual([
      ['acme', 2],
      ['initech', 2],
      ['zeta-corp', 1],
      [null, 1],
    ]);
    // initech = B, D. tta 180, 1200: mean 690, p90 = 180 + 0.9 × 1020 = 1098.
    // ttr 3000, 2700 → sorted 2700, 3000: mean 2850, p90 = 2700 + 0.9 × 300 = 2970.
    expect(r.customers[1]).toEqual({
      customer: 'initech',
      customer_name: 'Initech',
      incidents: 2,
      mtta_seconds: d(690, 1098, 2),
      mttr_seconds: d(2850, 2970, 2),
      targets: {
        acknowledge: s(2, 0, 0, 1),
        owner: s(0, 1, 0, 0),
        update: s(2, 0, 0, 1),
        resolve: s(2, 0, 0, 1),
      },
    });

    // Totals: B, C, D, E, F (B once, though it has two customers).
    // tta 180, 600, 1200, 2400: mean 4380 / 4 = 1095; p90 at rank 0.9 × 3 = 2.7: 1200 + 0.7 × 1200 = 2040.
    // ttr 2700, 3000, 7200: mean 12900 / 3 = 4300; p90 at rank 0.9 × 2 = 1.8: 3000 + 0.8 × 4200 = 6360.
    const { by_severity, ...totals } = r.totals;
    expect(totals).toEqual({
      incidents: 5,
      mtta_seconds: d(1095, 2040, 4),
      mttr_seconds: d(4300, 6360, 3),
      targets: {
        acknowledge: s(2, 2, 1, 0.5), // met B, D; missed C, E; pending F
        owner: s(1, 2, 1, 0.3333), // met C; missed B, E; pending F; D not counted: 1 / 3
        update: s(2, 2, 1, 0.5), // met B ×2; missed C, E; pending F
        resolve: s(3, 1, 1, 0.75), // met B, C, D; missed E; pending F
      },
    });
    expect(by_severity.map((x) => [x.severity, x.incidents])).toEqual([
      ['SEV1', 2],
      ['SEV2', 2],
      ['SEV3', 1],
    ]);
    // SEV2 = D, E. tta 1200, 2400: mean 1800, p90 = 1200 + 0.9 × 1200 = 2280; ttr D only.
    expect(by_severity[1]).toEqual({
      severity: 'SEV2',
      incidents: 2,
      mtta_seconds: d(1800, 2280, 2),
      mttr_seconds: d(2700, 2700, 1),
      targets: {
        acknowledge: s(1, 1, 0, 0.5),
        owner: s(0, 1, 0, 0),
        update: s(0, 1, 0, 0),
        resolve: s(1, 1, 0, 0.5),
      },
    });
  });

  it('October and December hold the incidents on either side of the local month boundaries', async () => {
    const oct = await report('month=2026-10');
    // A: tta 2m = 120 s, ttr 40m = 2400 s; owner and update cancelled after their due times: missed.
    expect(oct.rows).toEqual([
      {
        customer: 'acme',
        customer_name: 'Acme Corp',
        severity: 'SEV1',
        incidents: 1,
        mtta_seconds: d(120, 120, 1),
        mttr_seconds: d(2400, 2400, 1),
        targets: {
          acknowledge: s(1, 0, 0, 1),
          owner: s(0, 1, 0, 0),
          update: s(0, 1, 0, 0),
          resolve: s(1, 0, 0, 1),
        },
      },
    ]);
    const dec = await report('month=2026-12');
    expect(dec.from).toBe('2026-11-30T23:00:00.000Z');
    // G: the last job (15 minutes after it opened) breached its 15m premium acknowledge clock.
    expect(
      dec.rows.map((x) => [x.customer, x.customer_name, x.severity, x.incidents, x.targets.acknowledge]),
    ).toEqual([['globex', 'Globex', 'SEV2', 1, s(0, 1, 0, 0)]]);
    const empty = await report('month=2027-02');
    expect(empty.rows).toEqual([]);
    expect(empty.customers).toEqual([]);
    expect(empty.totals).toMatchObject({ incidents: 0, mtta_seconds: d(null, null, 0), by_severity: [] });
  });

  it('filters to one customer: only its rows, totals over its incidents', async () => {
    const r = await report('month=2026-11&customer=initech');
    expect(r.customer).toBe('initech');
    expect(r.rows.map((x) => [x.customer, x.severity])).toEqual([
      ['initech', 'SEV1'],
      ['initech', 'SEV2'],
    ]);
    // Totals = B and D, the same numbers as initech's customer line.
    const { by_severity: _, ...totals } = r.totals;
    const { customer: __, customer_name: ___, ...initech } = r.customers[0]!;
    expect(totals).toEqual(initech);
    expect(totals.incidents).toBe(2);
    const unknown = await report('month=2026-11&customer=zeta-corp');
    expect(unknown.rows.map((x) => [x.customer, x.customer_name, x.incidents])).toEqual([
      ['zeta-corp', null, 1],
    ]);
  });

  it('CSV: a header and one RFC 4180 line per row', async () => {
    const res = await t.app.request('/api/v1/reports/sla?month=2026-11&format=csv', {
      headers: bearer(ADMIN_TOKEN),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="sla-report-2026-11.csv"');
    const text = await res.text();
    expect(text.endsWith('\r\n')).toBe(true);
    const lines = text.split('\r\n').slice(0, -1);
    expect(lines[0]).toBe(
      'month,customer,customer_name,severity,incidents,mtta_mean_seconds,mtta_p90_seconds,mtta_count,' +
        'mttr_mean_seconds,mttr_p90_seconds,mttr_count,' +
        'acknowledge_met,acknowledge_missed,acknowledge_pending,acknowledge_share,' +
        'owner_met,owner_missed,owner_pending,owner_share,' +
        'update_met,update_missed,update_pending,update_share,' +
        'resolve_met,resolve_missed,resolve_pending,resolve_share',
    );
    expect(lines.slice(1)).toEqual([
      '2026-11,acme,Acme Corp,SEV1,2,390,558,2,5100,6780,2,1,1,0,0.5,1,1,0,0.5,2,1,0,0.6667,2,0,0,1',
      '2026-11,initech,Initech,SEV1,1,180,180,1,3000,3000,1,1,0,0,1,0,1,0,0,2,0,0,1,1,0,0,1',
      '2026-11,initech,Initech,SEV2,1,1200,1200,1,2700,2700,1,1,0,0,1,0,0,0,,0,0,0,,1,0,0,1',
      '2026-11,zeta-corp,,SEV2,1,2400,2400,1,,,0,0,1,0,0,0,1,0,0,0,1,0,0,0,1,0,0',
      '2026-11,,,SEV3,1,,,0,,,0,0,0,1,,0,0,1,,0,0,1,,0,0,1,',
    ]);
  });

  it('400 naming the parameter; 401 without or with the wrong token', async () => {
    for (const [query, message] of [
      ['month=2026-13', /^month: expected YYYY-MM/],
      ['month=nov', /^month: expected YYYY-MM/],
      ['', /^month: required/],
      ['month=2026-11&format=xlsx', /^format: expected json or csv/],
      [`month=2026-11&customer=${'x'.repeat(201)}`, /^customer: /],
    ] as const) {
      const res = await t.app.request(`/api/v1/reports/sla?${query}`, { headers: bearer(ADMIN_TOKEN) });
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as Json).message).toMatch(message);
    }
    expect((await t.app.request('/api/v1/reports/sla?month=2026-11')).status).toBe(401);
    expect(
      (await t.app.request('/api/v1/reports/sla?month=2026-11', { headers: bearer(INGEST_TOKEN) })).status,
    ).toBe(401);
  });

  const page = (path: string, headers: Record<string, string> = bearer(ADMIN_TOKEN)) =>
    t.app.request(path, { headers });

  it('the page: SVG bar chart per customer with values beside the bars, escaped, current month by default', async () => {
    const res = await page('/internal/reports?month=2026-11');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('SLA report · November 2026');
    expect(html).toContain('/static/reports.css');
    // One chart for all incidents and one per customer (acme, initech, zeta-corp, no customer).
    expect(
      html.match(/<svg class="sla-chart" role="img" aria-labelledby="[^"]+-title [^"]+-desc"/g),
    ).toHaveLength(5);
    expect(html).toContain(
      '<title id="chart-1-title">Acme Corp: share of SLA clocks met, November 2026</title>',
    );
    expect(html).toContain(
      'Acknowledge: 50% (1 of 2 met). Owner: 50% (1 of 2 met). Update: 66.7% (2 of 3 met). Resolve: 100% (2 of 2 met).',
    );
    expect(html).toContain('<text class="bar-value" x="406" y="82">66.7% (2 of 3 met)</text>');
    // acme's update bar: 2/3 of 300 px met, the rest missed.
    expect(html).toContain('class="bar-met" x="96" y="68" width="200" height="18"');
    expect(html).toContain('zeta-corp · not in the catalog');
    expect(html).toContain('No customer');
    expect(html).toContain('6m 30s'); // acme MTTA mean 390 s
    expect(html).toContain('Incidents opened from 1 Nov 2026, 00:00 to 1 Dec 2026, 00:00 (Europe/Berlin)');

    // January: a customer id that is markup, for the page's escaping (the clock moves on to it: last test).
    await declare('H', '2027-01-05T10:00:00Z', {
      severity: 'SEV4',
      customers: ['<script>alert(1)</script>'],
    });
    const january = await (await page('/internal/reports')).text();
    expect(january).toContain('SLA report · January 2027'); // the clock is in January 2027
    expect(january).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(january).not.toContain('<script>alert(1)');

    const bad = await page('/internal/reports?month=2026-13');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('month: expected YYYY-MM');

    const csv = await page('/internal/reports/sla.csv?month=2026-11&customer=initech');
    expect(csv.headers.get('content-disposition')).toBe(
      'attachment; filename="sla-report-2026-11-initech.csv"',
    );
    expect((await csv.text()).split('\r\n')).toHaveLength(4); // header, two rows, final CRLF

    // A browser without a session is sent to sign in; a wrong token is refused.
    const anonymous = await page('/internal/reports?month=2026-11', {});
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/internal\/login\?next=/);
    expect((await page('/internal/reports', bearer(INGEST_TOKEN))).status).toBe(401);
  });
});
