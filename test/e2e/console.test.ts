import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertmanagerBody, dbOutage } from '../support/payloads.ts';
import { SCREENSHOTS } from './support/browser.ts';
import { incidentdWithChromium } from './support/browser-session.ts';
import { randomTokens } from './support/incidentd.ts';
import { waitFor } from './support/processes.ts';

// The internal console in headless Debian Chromium against the real server: sign in through the form,
// acknowledge from the console while a second tab shows the incident's timeline (it gains the event
// without a reload, over /internal/ws), post a public update from the timeline, see it on the status page.
const tokens = randomTokens();

describe('internal console in a browser', () => {
  const e2e = incidentdWithChromium(tokens);
  const { logs } = e2e;

  const internalClients = () => e2e.websocketClients('internal');

  it('signs in, acknowledges from the console, the other tab’s timeline updates live, an update reaches the public page', async () => {
    const url = e2e.incidentd().url;
    const webhook = await fetch(`${url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.ingest}` },
      body: alertmanagerBody([
        dbOutage('acme', 'eu-west-1', { startsAt: new Date(Date.now() - 120_000).toISOString() }),
        dbOutage('globex', 'eu-west-1', { startsAt: new Date(Date.now() - 90_000).toISOString() }),
      ]),
    });
    expect(webhook.status, await webhook.clone().text()).toBe(200);
    const id = ((await webhook.json()) as { incidents: string[] }).incidents[0]!;
    const declared = await fetch(`${url}/api/v1/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.admin}` },
      body: JSON.stringify({
        title: 'Logins slow for some customers',
        severity: 'SEV3',
        customers: ['initech'],
      }),
    });
    expect(declared.status).toBe(201);

    const context = await e2e.browser().newContext({ viewport: { width: 1280, height: 900 } });
    const consolePage = await context.newPage();
    // Not signed in: the console sends us to the login form, which brings us back.
    await consolePage.goto(`${url}/internal`);
    expect(new URL(consolePage.url()).pathname).toBe('/internal/login');
    await consolePage.fill('input[name="name"]', 'alice');
    await consolePage.fill('input[name="token"]', 'not-the-token');
    await consolePage.click('button[type="submit"]');
    expect(await consolePage.locator('.error').textContent()).toContain('Sign-in failed');
    await consolePage.fill('input[name="token"]', tokens.admin);
    await consolePage.click('button[type="submit"]');
    await consolePage.waitForURL(`${url}/internal`);
    expect(await consolePage.locator('.who strong').textContent()).toBe('alice');
    const row = consolePage.locator(`#incident-${id}`);
    expect(await row.locator('.incident-link').textContent()).toBe('Database outage in eu-west-1');
    expect(await row.locator('.state').textContent()).toBe('Open');
    // The session cookie is not readable from scripts.
    expect(await consolePage.evaluate(() => document.cookie)).not.toContain('incidentd_session');

    // A second tab on the incident's timeline, connected to /internal/ws.
    const timeline = await context.newPage();
    await timeline.goto(`${url}/internal/incidents/${id}`);
    expect(await timeline.locator('#incident-title').textContent()).toBe('Database outage in eu-west-1');
    await waitFor(
      'both tabs to open /internal/ws',
      async () => ((await internalClients()) >= 2 ? true : undefined),
      {
        timeoutMs: 10_000,
        detail: logs,
      },
    );
    await timeline.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    expect(await timeline.locator('.event[data-kind="acknowledged"]').count()).toBe(0);

    // Acknowledge from the console.
    await row.locator('button', { hasText: 'Acknowledge' }).click();
    await consolePage.waitForURL(`${url}/internal`);
    expect(await consolePage.locator(`#incident-${id} .state`).textContent()).toBe('Acknowledged');

    // The other tab gains the event in place.
    await timeline.waitForSelector('.event[data-kind="acknowledged"]', { timeout: 5_000 });
    expect(await timeline.locator('.event[data-kind="acknowledged"] .title').textContent()).toContain(
      'Acknowledged by alice',
    );
    expect(await timeline.locator('#incident-state').textContent()).toBe('Acknowledged');
    expect(await timeline.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await consolePage.screenshot({ path: resolve(SCREENSHOTS, 'internal-console.png'), fullPage: true });

    // Post a public update from the timeline page.
    const message = 'We identified a failed primary database node and are failing over to a replica.';
    await timeline.selectOption('form[action$="/updates"] select[name="status"]', 'identified');
    await timeline.fill('form[action$="/updates"] textarea[name="message"]', message);
    await timeline.selectOption('form[action$="/updates"] select[name="next_update_in"]', '30m');
    await timeline.click('form[action$="/updates"] button[type="submit"]');
    await timeline.waitForURL(`${url}/internal/incidents/${id}`);
    const update = timeline.locator('.event[data-kind="update.posted"]').last();
    expect(await update.locator('.detail').textContent()).toBe(message);
    expect(await update.locator('.badge-public').count()).toBe(1);
    await timeline.screenshot({ path: resolve(SCREENSHOTS, 'internal-timeline.png'), fullPage: true });

    // Customers see it.
    const publicPage = await context.newPage();
    await publicPage.goto(`${url}/incidents/${id}`);
    await publicPage.waitForFunction(
      (text) => [...document.querySelectorAll('.update-body')].some((e) => e.textContent === text),
      message,
      { timeout: 5_000 },
    );
    expect(await publicPage.locator('.update-status').first().textContent()).toBe('Identified');

    // The review draft is one click away from the timeline.
    const review = await context.request.get(`${url}/internal/incidents/${id}/review.md`);
    expect(review.status()).toBe(200);
    expect(await review.text()).toContain(message);

    // Signing out ends the session for every tab.
    await consolePage.click('button.link-button');
    await consolePage.waitForURL(/\/internal\/login/);
    await timeline.goto(`${url}/internal`);
    expect(new URL(timeline.url()).pathname).toBe('/internal/login');
    await context.close();
  });

  it('the timeline in dark mode (screenshot)', async () => {
    const context = await e2e.browser().newContext({
      colorScheme: 'dark',
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    await page.goto(`${e2e.incidentd().url}/internal/login`);
    await page.fill('input[name="token"]', tokens.admin);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${e2e.incidentd().url}/internal`);
    await page.screenshot({ path: resolve(SCREENSHOTS, 'internal-console-dark.png'), fullPage: true });
    await page.locator('.incident-link').first().click();
    await page.waitForSelector('#incident-title');
    await page.screenshot({ path: resolve(SCREENSHOTS, 'internal-timeline-dark.png'), fullPage: true });
    await context.close();
  });
});
