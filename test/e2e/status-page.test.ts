import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { alertmanagerBody, dbOutage } from '../support/payloads.ts';
import { SCREENSHOTS } from './support/browser.ts';
import { incidentdWithChromium } from './support/browser-session.ts';
import { randomTokens } from './support/incidentd.ts';
import { waitFor } from './support/processes.ts';

// The real server (`tsx src/cli.ts serve`, default catalog and rules) in headless Debian Chromium: the page
// turns red without a reload when an alert opens a published incident, and works without JavaScript.
const tokens = randomTokens();

describe('status page in a browser', () => {
  const e2e = incidentdWithChromium(tokens);
  const { logs } = e2e;
  /** What the page's Content-Security-Policy refused (Chromium reports each refusal on the console). */
  const cspViolations: string[] = [];
  const watchCsp = (page: Page) => {
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text()))
        cspViolations.push(`${page.url()}: ${m.text()}`);
    });
    return page;
  };
  const databaseStatus = (page: Page) =>
    page.locator('#component-database .component-status').textContent({ timeout: 1000 });

  const publicClients = () => e2e.websocketClients('public');

  it('shows the outage live, links to the incident, renders light and dark, and works without JavaScript', async () => {
    const url = e2e.incidentd().url;
    const light = await e2e
      .browser()
      .newContext({ colorScheme: 'light', viewport: { width: 1100, height: 900 } });
    const page = watchCsp(await light.newPage());
    const first = await page.goto(`${url}/`);
    expect(first?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(first?.headers()['x-frame-options']).toBe('DENY');
    expect((await databaseStatus(page))?.trim()).toBe('Operational');
    await expect(page.locator('.banner-title')).toBeDefined();
    // live.js is connected to /ws before the alert arrives.
    await waitFor(
      'the page to open its WebSocket',
      async () => ((await publicClients()) >= 1 ? true : undefined),
      {
        timeoutMs: 10_000,
        detail: logs,
      },
    );
    // Marks this document: a reload would lose it.
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    const sent = performance.now();
    const res = await fetch(`${url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.ingest}` },
      body: alertmanagerBody([
        dbOutage('acme', 'eu-west-1', { startsAt: new Date(Date.now() - 60_000).toISOString() }),
      ]),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const { incidents } = (await res.json()) as { incidents: string[] };
    expect(incidents).toHaveLength(1);
    await page.waitForFunction(
      () =>
        document.querySelector('#component-database .component-status')?.textContent?.trim() ===
        'Major outage',
      undefined,
      { timeout: 2_000 },
    );
    const elapsed = performance.now() - sent;
    expect(elapsed).toBeLessThan(2_000);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    expect(await page.locator('.banner-title').textContent()).toContain('Major Service Outage');
    await page.screenshot({ path: resolve(SCREENSHOTS, 'status-light.png'), fullPage: true });

    // Follow the incident link to its public history.
    await page.locator(`a[href="/incidents/${incidents[0]}"]`).first().click();
    await page.waitForURL(`${url}/incidents/${incidents[0]}`);
    expect(await page.locator('#incident-title').textContent()).toBe('Database outage in eu-west-1');
    expect(await page.locator('.update-body').first().textContent()).toContain(
      'We are investigating degraded database availability in eu-west-1.',
    );
    await page.screenshot({ path: resolve(SCREENSHOTS, 'incident-light.png'), fullPage: true });
    await light.close();

    const dark = await e2e
      .browser()
      .newContext({ colorScheme: 'dark', viewport: { width: 1100, height: 900 } });
    const darkPage = watchCsp(await dark.newPage());
    await darkPage.goto(`${url}/`);
    expect((await databaseStatus(darkPage))?.trim()).toBe('Major outage');
    const background = await darkPage.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toBe('rgb(247, 248, 250)');
    await darkPage.screenshot({ path: resolve(SCREENSHOTS, 'status-dark.png'), fullPage: true });
    await darkPage.goto(`${url}/incidents/${incidents[0]}`);
    await darkPage.screenshot({ path: resolve(SCREENSHOTS, 'incident-dark.png'), fullPage: true });
    await dark.close();

    const noJs = await e2e.browser().newContext({ javaScriptEnabled: false });
    const plain = await noJs.newPage();
    const response = await plain.goto(`${url}/`);
    expect(response?.status()).toBe(200);
    expect((await databaseStatus(plain))?.trim()).toBe('Major outage');
    expect(await plain.locator('.banner-title').textContent()).toContain('Major Service Outage');
    await plain.locator(`a[href="/incidents/${incidents[0]}"]`).first().click();
    await plain.waitForURL(`${url}/incidents/${incidents[0]}`);
    expect(await plain.locator('#incident-title').textContent()).toBe('Database outage in eu-west-1');
    await plain.screenshot({ path: resolve(SCREENSHOTS, 'incident-no-js.png'), fullPage: true });
    await noJs.close();
    // The strict CSP (no inline script or style) refused nothing the pages need.
    expect(cspViolations).toEqual([]);
  });
});
