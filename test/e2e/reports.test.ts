import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { launchChromium, SCREENSHOTS } from './support/browser.ts';
import { type RunningIncidentd, randomTokens, startIncidentd } from './support/incidentd.ts';

// The real server with the sample catalog, except a 2-second premium SEV1 acknowledge target so a missed
// clock happens in real time; a few incidents through the API; the report page in headless Chromium.
const ROOT = resolve(import.meta.dirname, '../..');
const tokens = randomTokens();

describe('SLA report page in a browser', () => {
  let incidentd: RunningIncidentd | undefined;
  let browser: Browser | undefined;
  let configDir: string | undefined;

  beforeAll(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'incidentd-e2e-reports-'));
    const catalog = parse(readFileSync(resolve(ROOT, 'incidentd.yaml'), 'utf8')) as {
      sla_policies: Record<string, Record<string, Record<string, string>>>;
    };
    catalog.sla_policies.premium!.SEV1!.acknowledge = '2s';
    const file = join(configDir, 'incidentd.yaml');
    writeFileSync(file, stringify(catalog));
    incidentd = await startIncidentd(tokens, {
      env: { INCIDENTD_CONFIG: file, INCIDENTD_JOB_INTERVAL: '1s' },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await incidentd?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  const api = async (path: string, body: unknown = {}) => {
    const res = await fetch(`${incidentd!.url}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.admin}` },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { id: string };
    expect(res.status, JSON.stringify(json)).toBeLessThan(300);
    return json;
  };

  it('shows a chart per customer with the share met, MTTA and MTTR (screenshot)', async () => {
    // acme: one incident handled in time, one acknowledged after its 2 s target; initech in time; an
    // unknown customer's incident still running.
    const fast = await api('/incidents', { title: 'Checkout errors', severity: 'SEV1', customers: ['acme'] });
    await api(`/incidents/${fast.id}/acknowledge`);
    await api(`/incidents/${fast.id}/assign`, { owner: 'alice' });
    await api(`/incidents/${fast.id}/updates`, {
      status: 'identified',
      message: 'Bad deploy, rolling back.',
    });
    await api(`/incidents/${fast.id}/resolve`, { message: 'Rolled back.' });
    const slow = await api('/incidents', {
      title: 'Database failover',
      severity: 'SEV1',
      customers: ['acme', 'globex'],
    });
    const other = await api('/incidents', { title: 'Slow search', severity: 'SEV2', customers: ['initech'] });
    await api(`/incidents/${other.id}/acknowledge`);
    await api(`/incidents/${other.id}/resolve`);
    await api('/incidents', { title: 'Webhook retries', severity: 'SEV3', customers: ['zeta-corp'] });
    await new Promise((r) => setTimeout(r, 2_500));
    await api(`/incidents/${slow.id}/acknowledge`);
    await api(`/incidents/${slow.id}/assign`, { owner: 'bob' });

    const context = await browser!.newContext({
      viewport: { width: 1200, height: 900 },
      colorScheme: 'light',
    });
    const page = await context.newPage();
    await page.goto(`${incidentd!.url}/internal/reports`);
    // Not signed in: the login form brings us back to the report.
    expect(new URL(page.url()).pathname).toBe('/internal/login');
    await page.fill('input[name="name"]', 'alice');
    await page.fill('input[name="token"]', tokens.admin);
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/internal\/reports/);

    await expect(page.locator('h1').textContent()).resolves.toMatch(/^SLA report · \w+ \d{4}$/);
    // One chart for all incidents, one per customer: Acme Corp, Globex, Initech, zeta-corp.
    const charts = page.locator('svg.sla-chart[role="img"]');
    expect(await charts.count()).toBe(5);
    const headings = await page.locator('.report-card h2').allTextContents();
    expect(headings).toEqual(['All incidents', 'Acme Corp', 'Globex', 'Initech', 'zeta-corp']);
    const acme = page.locator('#customer-1 svg.sla-chart');
    expect(await acme.locator('title').textContent()).toMatch(/^Acme Corp: share of SLA clocks met/);
    expect(await acme.locator('.bar-value').allTextContents()).toEqual([
      '50% (1 of 2 met)',
      '100% (2 of 2 met)',
      '100% (2 of 2 met, 1 pending)', // the update and the closing update; the second incident's runs
      '100% (1 of 1 met, 1 pending)',
    ]);
    // The met part of acme's acknowledge bar is half the track.
    const track = await acme.locator('.bar-track').first().boundingBox();
    const met = await acme.locator('.bar-met').first().boundingBox();
    expect(met!.width / track!.width).toBeCloseTo(0.5, 1);
    expect(await page.locator('#customer-4 .bar-value').first().textContent()).toBe(
      'no clocks due (1 pending)',
    );

    await page.screenshot({ path: resolve(SCREENSHOTS, 'sla-report.png'), fullPage: true });

    // The month picker navigates by query string; CSV downloads with the session.
    await page.click('a[rel="prev"]');
    await page.waitForURL(/month=\d{4}-\d{2}/);
    expect(await page.locator('.empty').textContent()).toMatch(/^No incidents opened in/);
    const csv = await context.request.get(`${incidentd!.url}/internal/reports/sla.csv`);
    expect(csv.status()).toBe(200);
    expect((await csv.text()).split('\r\n')[0]).toMatch(/^month,customer,customer_name,severity,incidents,/);
    await context.close();
  });
});
