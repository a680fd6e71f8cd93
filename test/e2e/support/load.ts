import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { type AmAlertSpec, alertmanagerBody, fingerprintOf } from '../../support/payloads.ts';

/** An alert the sample rule regional-database-outage routes: one incident per region. */
export function outageAlert(group: number, customer: number): AmAlertSpec & { fingerprint: string } {
  const labels = {
    alertname: 'PostgresDown',
    service: 'postgres',
    severity: 'critical',
    region: `r-${group}`,
    customer: `c-${customer}`,
  };
  return {
    labels,
    annotations: { summary: `PostgreSQL down in r-${group} for c-${customer}` },
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    fingerprint: fingerprintOf(labels),
  };
}

export interface Delivery {
  body: string;
  fingerprints: string[];
}

export function delivery(alerts: (AmAlertSpec & { fingerprint: string })[]): Delivery {
  return { body: alertmanagerBody(alerts), fingerprints: alerts.map((a) => a.fingerprint) };
}

export interface SendResult {
  /** Got a 2xx. */
  acked: boolean;
  /** Final status (null: no answer before the deadline). */
  status: number | null;
  /** Every attempt: a status, or the error's code. */
  attempts: (number | string)[];
  answer: unknown;
}

/**
 * Posts like an Alertmanager HA pair would: a connection error, a timeout or a 5xx moves on to the next
 * replica after a short backoff, until a 2xx, a 4xx (not retried) or the deadline.
 */
export async function deliver(opts: {
  urls: readonly string[];
  first: number;
  path: string;
  body: BodyInit;
  token: string;
  deadline: number;
  timeoutMs?: number;
}): Promise<SendResult> {
  const attempts: (number | string)[] = [];
  let backoff = 50;
  for (let i = 0; ; i++) {
    const url = opts.urls[(opts.first + i) % opts.urls.length]!;
    try {
      const res = await fetch(`${url}${opts.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
        body: opts.body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      const text = await res.text();
      attempts.push(res.status);
      if (res.status < 500) {
        let answer: unknown = text;
        try {
          answer = JSON.parse(text);
        } catch {}
        return { acked: res.status < 300, status: res.status, attempts, answer };
      }
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      attempts.push(cause?.code ?? (err as Error).name);
    }
    if (Date.now() + backoff >= opts.deadline) {
      const last = attempts.at(-1);
      return { acked: false, status: typeof last === 'number' ? last : null, attempts, answer: null };
    }
    await sleep(backoff);
    backoff = Math.min(backoff * 2, 1_000);
  }
}

/** Runs `fn` over `items` with at most `concurrency` in flight. */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Senders that keep posting fresh deliveries until `stop()`, each alternating replicas. */
export function sustainedLoad(opts: {
  senders: number;
  urls: () => readonly string[];
  path: string;
  token: string;
  next: (sender: number, seq: number) => Delivery;
  /** How long one delivery may keep retrying. */
  retryForMs?: number;
}) {
  let stopping = false;
  const sent = new Set<string>();
  const acked = new Set<string>();
  const results: SendResult[] = [];
  const sender = async (s: number) => {
    for (let seq = 0; !stopping; seq++) {
      const d = opts.next(s, seq);
      for (const f of d.fingerprints) sent.add(f);
      const r = await deliver({
        urls: opts.urls(),
        first: s + seq,
        path: opts.path,
        body: d.body,
        token: opts.token,
        deadline: Date.now() + (opts.retryForMs ?? 30_000),
        timeoutMs: 5_000,
      });
      results.push(r);
      if (r.acked) for (const f of d.fingerprints) acked.add(f);
    }
  };
  const done = Promise.all(Array.from({ length: opts.senders }, (_, s) => sender(s)));
  return {
    sent,
    acked,
    results,
    /** Lets every sender finish (and retry) its current delivery, then resolves. */
    stop: async () => {
      stopping = true;
      await done;
    },
  };
}

/** Tallies attempt outcomes: `{200: 812, 503: 4, ECONNREFUSED: 2}`. */
export function tally(results: readonly SendResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) for (const a of r.attempts) out[String(a)] = (out[String(a)] ?? 0) + 1;
  return out;
}

/** One query on a database, on a short-lived connection. */
export async function queryDb<T extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/** The counts the no-loss, no-double checks compare. */
export async function storedCounts(url: string) {
  const [row] = await queryDb<{
    alerts: number;
    fingerprints: number;
    links: number;
    linked_alerts: number;
    incidents: number;
    groups: number;
  }>(
    url,
    `select (select count(*)::int from alerts) as alerts,
            (select count(distinct fingerprint)::int from alerts) as fingerprints,
            (select count(*)::int from incident_alerts) as links,
            (select count(*)::int from alerts where incident_id is not null) as linked_alerts,
            (select count(*)::int from incidents) as incidents,
            (select count(distinct group_key)::int from incidents) as groups`,
  );
  return row!;
}

export async function storedFingerprints(url: string): Promise<Set<string>> {
  const rows = await queryDb<{ fingerprint: string }>(url, 'select fingerprint from alerts');
  return new Set(rows.map((r) => r.fingerprint));
}
