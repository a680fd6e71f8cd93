import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { newId } from '../src/ids.ts';
import { ingestAlerts } from '../src/pipeline/ingest.ts';
import { ManualClock } from '../src/pipeline/ports.ts';
import { createMetrics } from '../src/telemetry/metrics.ts';
import { createTestApp } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';
import { alertmanagerBody, compactBody, dbOutage } from './support/payloads.ts';
import { webhookPost } from './support/webhooks.ts';

interface Answer {
  incidents: string[];
  unrouted: { fingerprint: string; reason: string }[];
  unrouted_count: number;
}

const slow = (bucket: string) => ({
  labels: {
    alertname: 'ObjectStorageLatencyHigh',
    service: 'object-storage',
    region: 'unrouted-test',
    bucket,
  },
});

describeEachDatabase('the webhook answer says why nothing opened', ({ store }) => {
  it('names each alert that opened or joined no incident, with a readable reason', async () => {
    const { app } = await createTestApp(store());
    const noRule = { labels: { alertname: 'NobodyCares', instance: 'x1' } };
    const resolved = {
      labels: { alertname: 'NobodyCares', service: 'postgres', severity: 'critical', region: 'u-r' },
      status: 'resolved' as const,
    };
    const body = alertmanagerBody([noRule, slow('b1'), resolved, dbOutage('acme', 'u-open')]);
    const res = await app.request('/webhooks/alertmanager', webhookPost(body));
    const answer = (await res.json()) as Answer;
    expect(answer.incidents).toHaveLength(1);
    expect(answer.unrouted_count).toBe(3);
    expect(answer.unrouted.map((u) => u.reason)).toEqual([
      'no rule matched',
      expect.stringMatching(
        /^waiting in candidate group of rule "object-storage-latency" \(open_when not yet true: 1 alert, 0 customers; until /,
      ),
      'resolved, no open incident (rule "regional-database-outage")',
    ]);
    // A resend of the waiting alert still waits (and still says so); a second one opens the incident.
    const again = (await (await app.request('/webhooks/alertmanager', webhookPost(body))).json()) as Answer;
    expect(again.unrouted.find((u) => u.fingerprint === answer.unrouted[1]!.fingerprint)?.reason).toMatch(
      /^waiting in candidate group .*1 alert,/,
    );
    const opened = (await (
      await app.request('/webhooks/alertmanager', webhookPost(alertmanagerBody([slow('b2')])))
    ).json()) as Answer;
    expect(opened).toMatchObject({ unrouted: [], unrouted_count: 0 });
    expect(opened.incidents).toHaveLength(1);
  });

  it('lists the first 100 of a huge body and counts the rest', async () => {
    const { app } = await createTestApp(store());
    const body = compactBody(250, (i) => ({ alertname: 'Unmatched', instance: `u${i}` }), 'un');
    const answer = (await (await app.request('/webhooks/alertmanager', webhookPost(body))).json()) as Answer;
    expect(answer.unrouted).toHaveLength(100);
    expect(answer.unrouted_count).toBe(250);
    expect(answer.unrouted[0]).toEqual({ fingerprint: `un${'0'.repeat(12)}`, reason: 'no rule matched' });
  });

  it('logs one info line per webhook with unrouted alerts, counts per reason', async () => {
    const lines: { msg: string; fields?: Record<string, unknown> }[] = [];
    const log = {
      debug() {},
      warn() {},
      error() {},
      info: (msg: string, fields?: Record<string, unknown>) =>
        lines.push({ msg, ...(fields ? { fields } : {}) }),
    };
    const deps = {
      db: store().db,
      clock: new ManualClock(new Date('2026-11-01T10:00:00Z')),
      newId,
      metrics: createMetrics(new Registry()),
      router: () => null,
      log,
    };
    const alerts = [
      { labels: { alertname: 'L', instance: 'l1' } },
      { labels: { alertname: 'L', instance: 'l2' } },
    ];
    const parsed = JSON.parse(alertmanagerBody(alerts)).alerts.map(
      (a: { fingerprint: string; labels: Record<string, string> }) => ({
        source: 'alertmanager',
        fingerprint: a.fingerprint,
        status: 'firing',
        labels: a.labels,
        annotations: {},
        title: 'L',
        startsAt: new Date('2026-11-01T09:55:00Z'),
        endsAt: null,
        generatorUrl: null,
      }),
    );
    const result = await ingestAlerts(deps, 'alertmanager', parsed);
    expect(result.unrouted.map((u) => u.reason)).toEqual(['no rules loaded', 'no rules loaded']);
    expect(lines).toEqual([
      {
        msg: 'webhook alerts opened or joined no incident',
        fields: { source: 'alertmanager', unrouted: 2, reasons: { no_rules: 2 } },
      },
    ]);
    await ingestAlerts(deps, 'alertmanager', []);
    expect(lines).toHaveLength(1);
  });
});
