import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningIncidentd, randomTokens, startIncidentd } from './support/incidentd.ts';
import {
  delivery,
  outageAlert,
  storedCounts,
  storedFingerprints,
  sustainedLoad,
  tally,
} from './support/load.ts';
import { type PrivatePostgres, startPrivatePostgres } from './support/private-postgres.ts';
import { waitFor } from './support/processes.ts';

// PostgreSQL stops under a webhook load and comes back: incidentd answers 503 meanwhile (never a 500,
// never a hang), and recovers by itself: same process, same pool, same LISTEN bridge.
const tokens = randomTokens();
const GROUPS = 10;

describe('the database restarts under load', () => {
  let postgres: PrivatePostgres | undefined;
  let incidentd: RunningIncidentd | undefined;
  const logs = () => `--- incidentd ---\n${incidentd?.process.output() ?? ''}`;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    incidentd = await startIncidentd(tokens, { databaseUrl: postgres.url });
  });

  afterAll(async () => {
    await incidentd?.stop();
    await postgres?.destroy();
  });

  /** One webhook, timed. */
  async function post(seq: number) {
    const started = Date.now();
    const res = await fetch(`${incidentd!.url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.ingest}` },
      body: delivery([outageAlert(seq % GROUPS, 1_000_000 + seq)]).body,
      signal: AbortSignal.timeout(20_000),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: Date.now() - started, retryAfter: res.headers.get('retry-after') };
  }

  const readyz = async () => {
    const started = Date.now();
    const res = await fetch(`${incidentd!.url}/readyz`, { signal: AbortSignal.timeout(20_000) });
    await res.arrayBuffer();
    return { status: res.status, ms: Date.now() - started };
  };

  it('answers 503 while PostgreSQL is down, and 2xx again once it is back, without a restart', async () => {
    const url = incidentd!.url;
    const load = sustainedLoad({
      senders: 4,
      urls: () => [url],
      path: '/webhooks/alertmanager',
      token: tokens.ingest,
      next: (s, seq) => {
        const k = seq * 4 + s;
        return delivery([outageAlert(k % GROUPS, k)]);
      },
    });
    const probes: { status: number; ms: number }[] = [];
    try {
      await waitFor('some load to be acknowledged', async () => (load.acked.size >= 100 ? true : undefined), {
        timeoutMs: 20_000,
        detail: logs,
      });
      await postgres!.stop();

      const down = await waitFor('/readyz to answer 503', async () => {
        const r = await readyz();
        probes.push(r);
        return r.status === 503 ? r : undefined;
      });
      const refused = await post(1);
      probes.push(refused);
      expect(refused.status, logs()).toBe(503);
      expect(refused.retryAfter).not.toBeNull();
      // Bounded: a sender hears "retry later" within seconds, not after its own timeout.
      expect(down.ms).toBeLessThan(8_000);
      expect(refused.ms).toBeLessThan(8_000);
      // Senders keep retrying against the outage for a while.
      const before = load.results.length;
      await new Promise((r) => setTimeout(r, 2_000));
      expect(load.results.length).toBe(before);

      await postgres!.start();
      await waitFor('/readyz to answer 200 again', async () => {
        const r = await readyz();
        probes.push(r);
        return r.status === 200 ? true : undefined;
      });
      const accepted = await post(2);
      expect(accepted.status, logs()).toBe(200);
      const ackedAfter = load.acked.size;
      await waitFor(
        'the load to flow again',
        async () => (load.acked.size >= ackedAfter + 100 ? true : undefined),
        {
          timeoutMs: 20_000,
          detail: logs,
        },
      );
    } finally {
      await load.stop();
    }
    const outcome = tally(load.results);
    console.log(
      `db-restart: ${load.results.length} deliveries, ${load.acked.size} acknowledged; attempts ${JSON.stringify(outcome)}; probes ${JSON.stringify(probes.map((p) => `${p.status}/${p.ms}ms`))}`,
    );
    // The outage was seen as 503s, and nothing else went wrong.
    expect(outcome['503'] ?? 0).toBeGreaterThan(0);
    expect(Object.keys(outcome).filter((k) => k !== '200' && k !== '503')).toEqual([]);
    expect(probes.filter((p) => p.status !== 200 && p.status !== 503)).toEqual([]);
    expect(load.results.filter((r) => !r.acked)).toEqual([]);

    const stored = await storedFingerprints(postgres!.url);
    expect([...load.acked].filter((f) => !stored.has(f))).toEqual([]);
    const counts = await storedCounts(postgres!.url);
    // The load's alerts plus the two direct probes' (the one refused with 503 was never stored).
    expect(counts.alerts).toBe(load.sent.size + 1);
    expect(counts.fingerprints).toBe(counts.alerts);
    expect(counts.links).toBe(counts.alerts);
    expect(counts.incidents).toBe(GROUPS);
    // The LISTEN connection came back by itself too.
    await waitFor('the event listener to reconnect', async () =>
      /event listener reconnected/.test(incidentd!.process.output()) ? true : undefined,
    );
  });
});
