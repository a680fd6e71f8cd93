import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.ts';
import { type RunningIncidentd, randomTokens, startIncidentd } from './support/incidentd.ts';
import { delivery, outageAlert, queryDb } from './support/load.ts';
import { createFreshDatabase, type FreshDatabase } from './support/private-postgres.ts';
import { waitFor } from './support/processes.ts';

// SIGTERM in the middle of a keep-alive load, on each engine. Every request either got its answer or left
// nothing behind: a 2xx means stored, a request without an answer (cut, refused) must have stored nothing,
// or a sender's retry would duplicate it. /readyz turns 503 at once, the process exits 0 within the bound.
const tokens = randomTokens();
const SENDERS = 8;

interface Answer {
  status: number | null;
  connection: string | null;
  error: string | null;
  /** When the request was sent, and when its answer (or error) came. */
  sentAt: number;
  at: number;
}

/** One request on the sender's own kept-alive connection (node:http, so `Connection` is visible). */
function send(agent: Agent | false, url: string, method: string, path: string, token: string, body?: string) {
  const sentAt = Date.now();
  return new Promise<Answer>((resolve) => {
    const req = httpRequest(
      `${url}${path}`,
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? null,
            connection: (res.headers.connection as string | undefined) ?? null,
            error: null,
            sentAt,
            at: Date.now(),
          }),
        );
        res.on('error', (err) =>
          resolve({ status: null, connection: null, error: err.message, sentAt, at: Date.now() }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) =>
      resolve({
        status: null,
        connection: null,
        error: (err as { code?: string }).code ?? err.message,
        sentAt,
        at: Date.now(),
      }),
    );
    req.end(body);
  });
}

interface Sent {
  /** What the request would store: an incident title, or alert fingerprints. */
  kind: 'incident' | 'alerts';
  keys: string[];
  answer: Answer;
}

async function storedKeys(query: (text: string) => Promise<{ k: string }[]>, prefix: string) {
  const titles = await query(`select title as k from incidents where title like '${prefix}%'`);
  const fingerprints = await query('select fingerprint as k from alerts');
  return new Set([...titles, ...fingerprints].map((r) => r.k));
}

const engines = [
  { name: 'PGlite on disk', postgres: false },
  { name: 'PostgreSQL', postgres: true },
] as const;

describe.each(engines)('SIGTERM under keep-alive load on $name', ({ postgres }) => {
  let db: FreshDatabase | undefined;
  let incidentd: RunningIncidentd | undefined;
  let dataDir: string | undefined;
  afterAll(async () => {
    await incidentd?.stop();
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers every request it committed, stores nothing it did not answer, turns /readyz 503, exits 0', async () => {
    if (postgres) db = await createFreshDatabase('shut');
    dataDir = postgres ? undefined : await mkdtemp(join(tmpdir(), 'incidentd-shutdown-'));
    incidentd = await startIncidentd(tokens, {
      ...(db ? { databaseUrl: db.url } : {}),
      ...(dataDir ? { dataDir } : {}),
      entry: 'bin',
      env: { LOG_LEVEL: 'info', INCIDENTD_SHUTDOWN_DELAY: '1s', INCIDENTD_SHUTDOWN_TIMEOUT: '10s' },
    });
    const { url } = incidentd;
    const logs = () => incidentd!.process.output();
    const prefix = `shutdown-${Date.now()}-`;
    const sent: Sent[] = [];
    let stopping = false;
    // Half the senders declare incidents (a retried POST would duplicate one), half post Alertmanager webhooks.
    const sender = async (s: number) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (let seq = 0; !stopping; seq++) {
        let entry: Sent;
        if (s % 2 === 0) {
          const title = `${prefix}${s}-${seq}`;
          const body = JSON.stringify({ title, severity: 'SEV4' });
          entry = {
            kind: 'incident',
            keys: [title],
            answer: await send(agent, url, 'POST', '/api/v1/incidents', tokens.admin, body),
          };
        } else {
          const k = (seq * SENDERS + s) * 2;
          const d = delivery([outageAlert(k % 20, k), outageAlert((k + 1) % 20, k + 1)]);
          entry = {
            kind: 'alerts',
            keys: d.fingerprints,
            answer: await send(agent, url, 'POST', '/webhooks/alertmanager', tokens.ingest, d.body),
          };
        }
        sent.push(entry);
        if (entry.answer.status === null) await sleep(20);
      }
      agent.destroy();
    };
    const senders = Promise.all(Array.from({ length: SENDERS }, (_, s) => sender(s)));
    // A load balancer's health check: a fresh connection every 25 ms.
    const probes: Answer[] = [];
    const prober = (async () => {
      while (!stopping) {
        probes.push(await send(false, url, 'GET', '/readyz', tokens.admin));
        await sleep(25);
      }
    })();
    let killedAt = 0;
    let exitedAt = 0;
    try {
      await waitFor(
        'some load to be answered',
        async () =>
          sent.filter((e) => e.answer.status === 201 || e.answer.status === 200).length >= 150
            ? true
            : undefined,
        { timeoutMs: 60_000, detail: logs },
      );
      killedAt = Date.now();
      process.kill(-incidentd.process.child.pid!, 'SIGTERM');
      await waitFor('incidentd to exit', async () => (incidentd!.process.exited() ? true : undefined), {
        timeoutMs: 30_000,
        intervalMs: 20,
        detail: logs,
      });
      exitedAt = Date.now();
    } finally {
      stopping = true;
      await Promise.all([senders, prober]);
    }

    const stored = postgres
      ? await storedKeys((text) => queryDb<{ k: string }>(db!.url, text), prefix)
      : await (async () => {
          const store = await openStore({ databaseUrl: null, dataDir: dataDir! });
          try {
            return await storedKeys(
              async (text) => (await sql.raw<{ k: string }>(text).execute(store.db)).rows,
              prefix,
            );
          } finally {
            await store.close();
          }
        })();

    const ok = (e: Sent) => e.answer.status !== null && e.answer.status < 300;
    const unanswered = sent.filter((e) => e.answer.status === null);
    const afterKill = sent.filter((e) => e.answer.status !== null && e.answer.at > killedAt);
    const summary = {
      requests: sent.length,
      answered2xx: sent.filter(ok).length,
      otherStatus: sent.filter((e) => e.answer.status !== null && !ok(e)).length,
      unanswered: unanswered.length,
      answeredAfterSigterm: afterKill.length,
      exitMs: exitedAt - killedAt,
      errors: [...new Set(unanswered.map((e) => e.answer.error))],
    };
    console.log(`shutdown (${postgres ? 'postgres' : 'pglite'}): ${JSON.stringify(summary)}`);
    const child = incidentd.process.child;
    expect({ code: child.exitCode, signal: child.signalCode }, logs()).toEqual({ code: 0, signal: null });

    // Every answered 2xx is stored; nothing without a 2xx is (committed but unanswered: none).
    const lost = sent.filter(ok).flatMap((e) => e.keys.filter((k) => !stored.has(k)));
    expect(lost, logs()).toEqual([]);
    const committedUnanswered = sent
      .filter((e) => !ok(e))
      .flatMap((e) => e.keys.filter((k) => stored.has(k)));
    expect(committedUnanswered, logs()).toEqual([]);
    expect(stored.size).toBe(sent.filter(ok).reduce((n, e) => n + e.keys.length, 0));
    // Requests in flight at SIGTERM were finished and answered, each telling the client to close.
    const closing = afterKill.filter((e) => e.answer.connection === 'close');
    expect(closing.length).toBeGreaterThan(0);
    expect(closing.filter((e) => !ok(e))).toEqual([]);
    // The health check turned 503 at once (a probe sent after the signal landed), while still accepting
    // connections (the 1 s delay), and never answered 200 again.
    const probesAfter = probes.filter((p) => p.sentAt > killedAt + 250);
    expect(probesAfter.filter((p) => p.status === 503).length).toBeGreaterThan(0);
    expect(probesAfter.filter((p) => p.status === 200)).toEqual([]);
    // Drained well before the 10 s bound.
    expect(exitedAt - killedAt).toBeLessThan(10_000);
  }, 180_000);
});
