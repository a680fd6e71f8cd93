import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startReceiver } from '../support/receiver.ts';
import { type RunningIncidentd, randomTokens, startIncidentd } from './support/incidentd.ts';
import {
  deliver,
  delivery,
  outageAlert,
  runPool,
  type SendResult,
  storedCounts,
  tally,
} from './support/load.ts';
import { createFreshDatabase, type FreshDatabase } from './support/private-postgres.ts';
import { waitFor } from './support/processes.ts';

// N incidentd processes on one DATABASE_URL behave as one: no alert lost or doubled under concurrent
// webhooks to every replica, one incident per group, live updates across replicas, jobs firing once.
const tokens = randomTokens();
const ROOT = resolve(import.meta.dirname, '../..');
const REPLICAS = 4;
const SENDERS = 16;
const GROUPS = 50;
const CUSTOMERS = 20;
const PER_WEBHOOK = 4;

describe('replicas on one PostgreSQL', () => {
  let db: FreshDatabase | undefined;
  let dir: string | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  const replicas: RunningIncidentd[] = [];
  const urls = () => replicas.map((r) => r.url);
  const logs = () => replicas.map((r) => `--- ${r.process.name} ---\n${r.process.output()}`).join('\n');

  beforeAll(async () => {
    db = await createFreshDatabase('rel');
    receiver = await startReceiver();
    // The sample catalog plus one webhook target, to count notices across replicas.
    dir = await mkdtemp(join(tmpdir(), 'incidentd-e2e-replicas-'));
    const catalog = (await readFile(join(ROOT, 'incidentd.yaml'), 'utf8')).replace(
      /^notifications: \[\]$/m,
      `notifications:\n  - { name: rx, type: webhook, url: '${receiver.url('/notices')}', events: [incident.opened] }`,
    );
    expect(catalog).toContain('name: rx');
    await writeFile(join(dir, 'incidentd.yaml'), catalog);
    // All at once, as an orchestrator starts them: migrations and first-start settings race on purpose.
    const started = await Promise.allSettled(
      Array.from({ length: REPLICAS }, (_, i) =>
        startIncidentd(tokens, {
          name: `replica-${'ABCD'[i]}`,
          databaseUrl: db!.url,
          env: {
            INCIDENTD_CONFIG: join(dir!, 'incidentd.yaml'),
            // Every replica runs the jobs often, so they really compete for the same rows.
            INCIDENTD_JOB_INTERVAL: '200ms',
            LOG_LEVEL: 'warn',
          },
        }),
      ),
    );
    for (const s of started) if (s.status === 'fulfilled') replicas.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  });

  afterAll(async () => {
    await Promise.allSettled(replicas.map((r) => r.stop()));
    await receiver?.close();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('16 senders across 4 replicas: exactly one incident per group, no alert lost or doubled', async () => {
    // Alerts of all groups interleaved, so every webhook touches several groups and every group is hit
    // through every replica at once.
    const alerts = Array.from({ length: GROUPS * CUSTOMERS }, (_, k) =>
      outageAlert(k % GROUPS, Math.floor(k / GROUPS)),
    );
    const deliveries = [];
    for (let i = 0; i < alerts.length; i += PER_WEBHOOK)
      deliveries.push(delivery(alerts.slice(i, i + PER_WEBHOOK)));
    // Redeliveries (Alertmanager repeats, HA peers) through another replica than the first time.
    const repeats = deliveries.filter((_, i) => i % 5 === 0).map((d) => ({ ...d, repeat: true }));
    const all = [...deliveries, ...repeats];
    const results: SendResult[] = [];
    const incidentIds = new Set<string>();
    const started = Date.now();
    await runPool(all, SENDERS, async (d, i) => {
      const r = await deliver({
        urls: urls(),
        first: i + ('repeat' in d ? 1 : 0),
        path: '/webhooks/alertmanager',
        body: d.body,
        token: tokens.ingest,
        deadline: Date.now() + 30_000,
      });
      results.push(r);
      for (const id of (r.answer as { incidents?: string[] } | null)?.incidents ?? []) incidentIds.add(id);
    });
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `replicas: ${all.length} webhooks (${alerts.length} alerts, ${repeats.length} redeliveries) in ${seconds.toFixed(1)} s; attempts ${JSON.stringify(tally(results))}`,
    );
    expect(
      results.filter((r) => !r.acked),
      logs(),
    ).toEqual([]);
    // Contention between replicas is settled by locks, never by an error the sender must retry.
    expect(Object.keys(tally(results))).toEqual(['200']);

    const counts = await storedCounts(db!.url);
    expect(counts).toEqual({
      alerts: alerts.length,
      fingerprints: alerts.length,
      links: alerts.length,
      linked_alerts: alerts.length,
      incidents: GROUPS,
      groups: GROUPS,
    });
    expect(incidentIds.size).toBe(GROUPS);
  });

  it('a WebSocket client on replica A hears a change made through replica B', async () => {
    const [a, b] = replicas as [RunningIncidentd, RunningIncidentd];
    const wsUrl = a.url.replace(/^http/, 'ws');
    const open = (path: string, headers: Record<string, string> = {}) => {
      const ws = new WebSocket(`${wsUrl}${path}`, { headers });
      const messages: { type: string; id?: string }[] = [];
      ws.on('message', (m) => messages.push(JSON.parse(String(m))));
      return new Promise<{ ws: WebSocket; messages: typeof messages }>((ok, fail) => {
        ws.once('open', () => ok({ ws, messages }));
        ws.once('error', fail);
      });
    };
    const pub = await open('/ws');
    const internal = await open('/internal/ws', { authorization: `Bearer ${tokens.admin}` });
    try {
      await waitFor('the public greeting', async () => (pub.messages.length > 0 ? true : undefined), {
        timeoutMs: 10_000,
      });
      const r = await deliver({
        urls: [b.url],
        first: 0,
        path: '/webhooks/alertmanager',
        body: delivery([outageAlert(999, 1), outageAlert(999, 2)]).body,
        token: tokens.ingest,
        deadline: Date.now() + 10_000,
      });
      expect(r.status).toBe(200);
      const id = (r.answer as { incidents: string[] }).incidents[0]!;
      await waitFor(
        'replica A to push snapshot-changed and incident-changed',
        async () =>
          pub.messages.some((m) => m.type === 'snapshot-changed') &&
          internal.messages.some((m) => m.type === 'incident-changed' && m.id === id)
            ? true
            : undefined,
        { timeoutMs: 15_000, detail: () => `public: ${JSON.stringify(pub.messages)}\n${logs()}` },
      );
      // A's status page, served from its in-memory snapshot, shows the incident opened through B.
      const summary = (await (await fetch(`${a.url}/api/v2/summary.json`)).json()) as {
        incidents: { name: string }[];
      };
      expect(summary.incidents.map((i) => i.name)).toContain('Database outage in r-999');
    } finally {
      pub.ws.terminate();
      internal.ws.terminate();
    }
  });

  it('scheduled jobs fire once across replicas: one incident.opened notice per incident', async () => {
    const ids = await waitFor(
      `${GROUPS + 1} incident.opened notices`,
      async () => {
        const got = receiver!.delivered('/notices');
        return got.length >= GROUPS + 1 ? got : undefined;
      },
      { timeoutMs: 30_000, detail: () => `received ${receiver!.received.length}\n${logs()}` },
    );
    // Every replica has run the outbox several more times since: a second delivery would be here by now.
    await new Promise((r) => setTimeout(r, 2_000));
    const notices = receiver!
      .delivered('/notices')
      .map((n) => n.body as { event: string; incident: { id: string } });
    expect(ids.length).toBeGreaterThan(0);
    expect(notices.every((n) => n.event === 'incident.opened')).toBe(true);
    const perIncident = new Map<string, number>();
    for (const n of notices) perIncident.set(n.incident.id, (perIncident.get(n.incident.id) ?? 0) + 1);
    expect(perIncident.size).toBe(GROUPS + 1);
    expect([...perIncident.values()].filter((n) => n !== 1)).toEqual([]);
  });
});

describe('embedded storage is single-process', () => {
  let first: RunningIncidentd | undefined;
  let second: RunningIncidentd | undefined;
  beforeAll(async () => {
    first = await startIncidentd(tokens);
  });
  afterAll(async () => {
    await Promise.allSettled([second?.stop(), first?.stop()]);
  });

  it('a second serve on the same DATA_DIR exits 1 with one line saying why', async () => {
    second = await startIncidentd(tokens, { name: 'second', dataDir: first!.dataDir, waitReady: false });
    const proc = second.process;
    await waitFor('the second process to exit', async () => (proc.exited() ? true : undefined), {
      timeoutMs: 30_000,
      detail: () => proc.output(),
    });
    expect(proc.child.exitCode).toBe(1);
    const lines = proc
      .output()
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('[second exited'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^incidentd: DATA_DIR .* is in use by incidentd process \d+; embedded storage is single-process/,
    );
    // The first one never noticed.
    expect((await fetch(`${first!.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${first!.url}/readyz`)).status).toBe(200);
  });
});
