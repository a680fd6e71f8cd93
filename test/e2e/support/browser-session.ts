import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './browser.ts';
import { type RunningIncidentd, startIncidentd } from './incidentd.ts';

/**
 * The real server and a headless Chromium for the describe block it is called in: started before all
 * its tests, stopped after them.
 */
export function incidentdWithChromium(tokens: { ingest: string; admin: string }) {
  let incidentd: RunningIncidentd | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    incidentd = await startIncidentd(tokens);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await incidentd?.stop();
  });

  return {
    incidentd: () => incidentd!,
    browser: () => browser!,
    logs: () => `--- incidentd ---\n${incidentd?.process.output() ?? ''}`,
    /** incidentd_websocket_clients of the channel, from /metrics. */
    websocketClients: async (channel: 'internal' | 'public'): Promise<number> => {
      const text = await (
        await fetch(`${incidentd!.url}/metrics`, { headers: { authorization: `Bearer ${tokens.admin}` } })
      ).text();
      const m = new RegExp(`incidentd_websocket_clients\\{channel="${channel}"\\} (\\d+)`).exec(text);
      return Number(m?.[1] ?? 0);
    },
  };
}
