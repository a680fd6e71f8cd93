import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningIncidentd, randomTokens, startIncidentd } from './support/incidentd.ts';
import {
  delivery,
  outageAlert,
  queryDb,
  storedCounts,
  storedFingerprints,
  sustainedLoad,
  tally,
} from './support/load.ts';
import { createFreshDatabase, type FreshDatabase } from './support/private-postgres.ts';
import { waitFor } from './support/processes.ts';

// kill -9 of one of two replicas in the middle of a sustained webhook load. Senders behave like an
// Alertmanager HA pair: no answer or a 5xx, and they retry against the other replica. A 2xx means
// committed, so every acknowledged alert must be stored; a retried delivery must not double anything.
const tokens = randomTokens();
const SENDERS = 8;
const GROUPS = 20;

describe('a replica killed under load', () => {
  let db: FreshDatabase | undefined;
  const replicas: RunningIncidentd[] = [];
  const logs = () => replicas.map((r) => `--- ${r.process.name} ---\n${r.process.output()}`).join('\n');

  beforeAll(async () => {
    db = await createFreshDatabase('rel');
    // One after the other: the second finds the schema migrated.
    for (const name of ['replica-A', 'replica-B'])
      replicas.push(await startIncidentd(tokens, { name, databaseUrl: db.url, env: { LOG_LEVEL: 'warn' } }));
  });

  afterAll(async () => {
    await Promise.allSettled(replicas.map((r) => r.stop()));
    await db?.drop();
  });

  it('loses no acknowledged alert and doubles none', async () => {
    const [a, b] = replicas as [RunningIncidentd, RunningIncidentd];
    let urls = [a.url, b.url];
    // Each delivery carries two fresh alerts of groups spread over the run: a sender's n-th delivery is new.
    const load = sustainedLoad({
      senders: SENDERS,
      urls: () => urls,
      path: '/webhooks/alertmanager',
      token: tokens.ingest,
      next: (s, seq) => {
        const k = (seq * SENDERS + s) * 2;
        return delivery([outageAlert(k % GROUPS, k), outageAlert((k + 1) % GROUPS, k + 1)]);
      },
    });
    try {
      await waitFor('some load to be acknowledged', async () => (load.acked.size >= 200 ? true : undefined), {
        timeoutMs: 30_000,
        detail: logs,
      });
      // In the middle of the load: requests are in flight on B, some transactions uncommitted.
      const pid = b.process.child.pid!;
      process.kill(-pid, 'SIGKILL');
      await waitFor('replica B to be gone', async () => (b.process.exited() ? true : undefined), {
        timeoutMs: 5_000,
      });
      const ackedAtKill = load.acked.size;
      await waitFor(
        'replica A alone to acknowledge more',
        async () => (load.acked.size >= ackedAtKill + 100 ? true : undefined),
        { timeoutMs: 30_000, detail: logs },
      );
      // New deliveries only to the survivor (as a load balancer would after its health check); those already
      // retrying keep alternating, so some keep hitting the dead port first.
      urls = [a.url];
    } finally {
      await load.stop();
    }
    const outcome = tally(load.results);
    console.log(
      `crash: ${load.results.length} deliveries, ${load.sent.size} alerts, ${load.acked.size} acknowledged; attempts ${JSON.stringify(outcome)}`,
    );
    // The kill was felt: some attempts got no answer, and were retried.
    expect(
      Object.keys(outcome).some((k) => !/^2\d\d$/.test(k)),
      JSON.stringify(outcome),
    ).toBe(true);
    // With A alive, every delivery ended acknowledged.
    expect(load.results.filter((r) => !r.acked)).toEqual([]);

    const stored = await storedFingerprints(db!.url);
    const missing = [...load.acked].filter((f) => !stored.has(f));
    expect(missing, logs()).toEqual([]);
    const counts = await storedCounts(db!.url);
    expect(counts).toEqual({
      alerts: load.sent.size,
      fingerprints: load.sent.size,
      links: load.sent.size,
      linked_alerts: load.sent.size,
      incidents: GROUPS,
      groups: GROUPS,
    });
    // Committed on B but unanswered, then redelivered to A: stored once, seen twice.
    const [{ n }] = (await queryDb<{ n: number }>(
      db!.url,
      'select count(*)::int as n from alerts where seen_count > 1',
    )) as [{ n: number }];
    console.log(`crash: ${n} alerts were committed, then redelivered after a lost answer`);
    expect((await fetch(`${a.url}/readyz`)).status).toBe(200);
    // Let A's after-commit work settle before it is stopped.
    await sleep(200);
  });
});
