import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerFingerprint } from '../../src/sources/alertmanager/fingerprint.ts';
import { type RunningIncidentd, randomTokens, startIncidentd } from './support/incidentd.ts';
import { waitFor } from './support/processes.ts';
import { type RunningPrometheus, startPrometheus } from './support/prometheus.ts';

// A real Prometheus (Debian 2.42) sends its alerts straight to incidentd's Alertmanager API: `alerting.alertmanagers`
// with api_version v2, a path prefix and the ingest token as `authorization` credentials. Only the timings are short.
const tokens = randomTokens();

/** Labels that the sample rule regional-database-outage (rules/10-data.yaml) turns into an incident. */
const rule = (name: string, region: string, expr: string) => `      - alert: ${name}
        expr: ${expr}
        for: 0s
        labels: { service: postgres, severity: critical, region: ${region}, customer: acme }
        annotations: { summary: "${name} in ${region}" }
`;
const rules = (...entries: string[]) => `groups:
  - name: incidentd-e2e
    interval: 1s
    rules:
${entries.join('')}`;

interface StoredAlert {
  fingerprint: string;
  status: string;
  title: string;
  labels: Record<string, string>;
  generator_url: string | null;
  incident_id: string | null;
  ends_at: string | null;
}

describe('Prometheus → incidentd (POST /api/v2/alerts)', () => {
  let incidentd: RunningIncidentd | undefined;
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    incidentd = await startIncidentd(tokens, {
      env: { INCIDENTD_ALERTMANAGER_API_PREFIX: '/alertmanager', INCIDENTD_JOB_INTERVAL: '500ms' },
    });
    prometheus = await startPrometheus({
      target: new URL(incidentd.url).host,
      token: tokens.ingest,
      pathPrefix: '/alertmanager',
      rules: rules(
        rule('PostgresDownE2E', 'e2e-prom-a', 'vector(1)'),
        rule('PostgresGoneE2E', 'e2e-prom-b', 'vector(1)'),
      ),
    });
  });

  afterAll(async () => {
    await Promise.allSettled([prometheus?.stop(), incidentd?.stop()]);
  });

  const logs = () =>
    `--- incidentd ---\n${incidentd?.process.output() ?? ''}\n--- prometheus ---\n${prometheus?.process.output() ?? ''}`;

  let lastSeen: StoredAlert[] = [];
  async function stored(): Promise<StoredAlert[]> {
    const res = await fetch(`${incidentd!.url}/api/v1/alerts?source=prometheus&limit=1000`, {
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    if (res.status !== 200) throw new Error(`GET /api/v1/alerts: ${res.status} ${await res.text()}`);
    lastSeen = ((await res.json()) as { items: StoredAlert[] }).items;
    return lastSeen;
  }
  const waitForAlerts = (what: string, check: (alerts: StoredAlert[]) => boolean, timeoutMs = 30_000) =>
    waitFor(what, async () => ((await stored()).length > 0 && check(lastSeen) ? lastSeen : undefined), {
      timeoutMs,
      intervalMs: 300,
      detail: () =>
        `last seen: ${JSON.stringify(lastSeen.map((a) => [a.labels.alertname, a.status]))}\n${logs()}`,
    });
  const byName = (alerts: StoredAlert[], name: string) => alerts.find((a) => a.labels.alertname === name);

  it('opens an incident from a firing rule, and resolves when the rule stops firing', async () => {
    const firing = await waitForAlerts('both Prometheus alerts firing in incidentd', (alerts) =>
      ['PostgresDownE2E', 'PostgresGoneE2E'].every((n) => byName(alerts, n)?.status === 'firing'),
    );
    const a = byName(firing, 'PostgresDownE2E')!;
    expect(a.labels).toMatchObject({ service: 'postgres', severity: 'critical', region: 'e2e-prom-a' });
    expect(a.title).toBe('PostgresDownE2E in e2e-prom-a');
    expect(a.generator_url).toMatch(/^http:\/\/.*\/graph\?g0\.expr=vector%281%29/);
    // Identity is Alertmanager's label fingerprint, the same as Prometheus' own alerts API shows.
    expect(a.fingerprint).toBe(alertmanagerFingerprint(a.labels));
    expect(a.incident_id).not.toBeNull();
    const incident = await fetch(`${incidentd!.url}/api/v1/incidents/${a.incident_id}`, {
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    expect(await incident.json()).toMatchObject({ rule: 'regional-database-outage', state: 'open' });

    // A stops firing (its expression returns nothing): Prometheus sends it resolved with endsAt = now.
    // B's rule is removed.
    const reloadedAt = Date.now();
    await prometheus!.reloadRules(rules(rule('PostgresDownE2E', 'e2e-prom-a', 'vector(1) > 2')));
    const after = await waitForAlerts(
      'PostgresDownE2E resolved in incidentd',
      (alerts) => byName(alerts, 'PostgresDownE2E')?.status === 'resolved',
    );
    // Long before its 4-minute endsAt would have expired it: this is Prometheus' resolved send.
    expect(Date.now() - reloadedAt).toBeLessThan(60_000);
    expect(new Date(byName(after, 'PostgresDownE2E')!.ends_at!).getTime()).toBeGreaterThanOrEqual(
      reloadedAt - 2_000,
    );
  });
});
