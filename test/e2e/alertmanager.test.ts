import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAlertmanager, startAlertmanager } from './support/alertmanager.ts';
import { type RunningIncidentd, randomTokens, startIncidentd } from './support/incidentd.ts';
import { waitFor } from './support/processes.ts';

// A real Alertmanager delivers to a real incidentd process: config, basic auth, grouping and
// send_resolved as users set them up; only the timings are shortened.
const tokens = randomTokens();

interface StoredAlert {
  fingerprint: string;
  status: string;
  title: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  starts_at: string;
  ends_at: string | null;
}

describe('Alertmanager → incidentd', () => {
  let incidentd: RunningIncidentd | undefined;
  let alertmanager: RunningAlertmanager | undefined;

  beforeAll(async () => {
    incidentd = await startIncidentd(tokens);
    alertmanager = await startAlertmanager({
      webhookUrl: `${incidentd.url}/webhooks/alertmanager`,
      password: tokens.ingest,
    });
  });

  afterAll(async () => {
    await Promise.allSettled([alertmanager?.stop(), incidentd?.stop()]);
  });

  const logs = () =>
    `--- incidentd ---\n${incidentd?.process.output() ?? ''}\n--- alertmanager ---\n${alertmanager?.process.output() ?? ''}`;

  async function postToAlertmanager(alerts: unknown[]): Promise<void> {
    const res = await fetch(`${alertmanager!.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(res.status, `Alertmanager POST /api/v2/alerts: ${await res.text()}`).toBe(200);
  }

  let lastSeen: StoredAlert[] = [];
  async function storedAlerts(): Promise<StoredAlert[]> {
    const res = await fetch(`${incidentd!.url}/api/v1/alerts?source=alertmanager&limit=1000`, {
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    if (res.status !== 200) throw new Error(`GET /api/v1/alerts: ${res.status} ${await res.text()}`);
    lastSeen = ((await res.json()) as { items: StoredAlert[] }).items;
    return lastSeen;
  }

  /** Polls incidentd until exactly `n` Alertmanager alerts are stored, all with `status`. */
  const waitForStored = (n: number, status: 'firing' | 'resolved') =>
    waitFor(
      `${n} Alertmanager alerts stored as ${status} in incidentd`,
      async () => {
        const items = await storedAlerts();
        return items.length === n && items.every((a) => a.status === status) ? items : undefined;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 300,
        detail: () =>
          `last seen: ${JSON.stringify(lastSeen.map((a) => [a.fingerprint, a.status]))}\n${logs()}`,
      },
    );

  it('stores alerts firing, then resolved, one row per alert', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const alerts = ['acme', 'globex', 'initech'].map((customer) => ({
      labels: { alertname: 'DatabaseDown', service: 'postgres', region: 'eu-west-1', customer },
      annotations: { summary: `Database down for ${customer}` },
      startsAt,
    }));

    await postToAlertmanager(alerts);
    const firing = await waitForStored(alerts.length, 'firing');
    expect(new Set(firing.map((a) => a.labels.customer))).toEqual(new Set(['acme', 'globex', 'initech']));
    for (const a of firing) {
      expect(a.labels).toMatchObject({ alertname: 'DatabaseDown', service: 'postgres', region: 'eu-west-1' });
      expect(a.title).toBe(`Database down for ${a.labels.customer}`);
      expect(a.ends_at).toBeNull();
      expect(new Date(a.starts_at).toISOString()).toBe(startsAt);
    }
    // Identity is Alertmanager's own fingerprint.
    const amAlerts = (await (await fetch(`${alertmanager!.url}/api/v2/alerts`)).json()) as {
      fingerprint: string;
    }[];
    expect(new Set(firing.map((a) => a.fingerprint))).toEqual(new Set(amAlerts.map((a) => a.fingerprint)));

    const endsAt = new Date().toISOString();
    await postToAlertmanager(alerts.map((a) => ({ ...a, endsAt })));
    const resolved = await waitForStored(alerts.length, 'resolved');
    expect(new Set(resolved.map((a) => a.fingerprint))).toEqual(new Set(firing.map((a) => a.fingerprint)));
    for (const a of resolved) expect(a.ends_at).not.toBeNull();
  });
});
