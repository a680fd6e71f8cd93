import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures } from '../support/fixtures.ts';
import { alertmanagerBody } from '../support/payloads.ts';
import { type RunningIncidentd, randomTokens, startIncidentd } from './support/incidentd.ts';
import { runPool } from './support/load.ts';
import { waitFor } from './support/processes.ts';

// The live server against hostile and broken input: mutated real payloads, arbitrary JSON, huge and deep
// bodies, invalid UTF-8, slow clients. Never a 5xx, never a crash, every rejection kept as a dead letter.
const tokens = randomTokens();
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const CONCURRENCY = 8;
const SLICE = 2_000;
// Fixed by default, so a CI failure replays; FUZZ_SEED=random explores new inputs.
const SEED =
  process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20_261_123);
const SOURCES = ['alertmanager', 'grafana', 'datadog'] as const;
// Short, so the slow-client test finishes quickly; the defaults are 30 s and 10 s.
const REQUEST_TIMEOUT_S = 6;
const HEADERS_TIMEOUT_S = 3;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every path in a document (the root included), at most `max`. */
function pathsOf(doc: Json, max = 5_000): Path[] {
  const out: Path[] = [];
  const walk = (v: Json, at: Path) => {
    if (out.length >= max) return;
    out.push(at);
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, [...at, i]);
    } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
  };
  walk(doc, []);
  return out;
}

function getAt(doc: Json, path: Path): Json {
  let v: Json = doc;
  for (const p of path) v = (v as Record<string | number, Json>)[p] as Json;
  return v;
}

/** Replaces the value at `path` (the root: returns the new root). */
function setAt(doc: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? null : value;
  const parent = getAt(doc, path.slice(0, -1)) as Record<string | number, Json> | Json[];
  const key = path.at(-1)!;
  if (Array.isArray(parent) && typeof key === 'number') {
    if (value === undefined) parent.splice(key, 1);
    else parent[key] = value;
  } else if (value === undefined) delete (parent as Record<string, Json>)[key];
  else (parent as Record<string, Json>)[key] = value;
  return doc;
}

/** Same data, another JSON type: what a sender with a different idea of the schema would send. */
function retype(v: Json): Json {
  if (typeof v === 'string') return Number.isNaN(Number(v)) ? v.length : Number(v);
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 0;
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x]));
  if (v && typeof v === 'object') return Object.values(v);
  return {};
}

type Op =
  | { kind: 'replace'; sel: number; value: Json }
  | { kind: 'delete'; sel: number }
  | { kind: 'insert'; sel: number; key: string; value: Json }
  | { kind: 'retype'; sel: number }
  | { kind: 'duplicate'; sel: number };
type TextOp =
  | { kind: 'truncate'; at: number }
  | { kind: 'splice'; at: number; text: string }
  | { kind: 'none' };

const value = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }) as fc.Arbitrary<Json>;
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), sel: fc.nat(), value }),
  fc.record({ kind: fc.constant('delete' as const), sel: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    sel: fc.nat(),
    key: fc.string({ maxLength: 12 }),
    value,
  }),
  fc.record({ kind: fc.constant('retype' as const), sel: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), sel: fc.nat() }),
);
const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('splice' as const),
      at: fc.nat(),
      text: fc.string({ maxLength: 4, unit: 'binary' }),
    }),
  },
);

function mutate(fixture: string, ops: Op[], text: TextOp): string {
  let doc = JSON.parse(fixture) as Json;
  for (const o of ops) {
    const paths = pathsOf(doc);
    const path = paths[o.sel % paths.length]!;
    const at = getAt(doc, path);
    if (o.kind === 'replace') doc = setAt(doc, path, o.value);
    else if (o.kind === 'delete') doc = setAt(doc, path, undefined);
    else if (o.kind === 'retype') doc = setAt(doc, path, retype(at));
    else if (o.kind === 'insert') {
      if (Array.isArray(at)) at.push(o.value);
      else if (at && typeof at === 'object') at[o.key] = o.value;
      else doc = setAt(doc, path, { [o.key]: o.value });
    } else if (Array.isArray(at) && at.length > 0) at.push(structuredClone(at[o.sel % at.length]!));
    else doc = setAt(doc, path, [at, structuredClone(at)]);
  }
  const out = JSON.stringify(doc);
  if (text.kind === 'truncate') return out.slice(0, text.at % (out.length + 1));
  if (text.kind === 'splice') {
    const i = text.at % (out.length + 1);
    return out.slice(0, i) + text.text + out.slice(i);
  }
  return out;
}

/** Bodies for one source: mostly mutated real payloads, some arbitrary JSON. */
function bodiesFor(source: string, runs: number, seed: number): string[] {
  const fixtures = loadFixtures()
    .filter((f) => f.source === source)
    .flatMap((f) => f.bodies);
  expect(fixtures.length).toBeGreaterThan(0);
  const mutated = fc
    .record({ fixture: fc.nat(), ops: fc.array(op, { minLength: 1, maxLength: 4 }), text: textOp })
    .map(({ fixture, ops, text }) => mutate(fixtures[fixture % fixtures.length]!, ops, text));
  const arbitrary = fc.oneof(
    fc.json({ maxDepth: 4 }),
    fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 64, unit: 'binary' }),
  );
  return fc.sample(fc.oneof({ weight: 9, arbitrary: mutated }, { weight: 1, arbitrary }), {
    numRuns: runs,
    seed,
  });
}

/** RSS of the server process (tsx runs it as a child of the spawned process). */
async function serverRss(incidentd: RunningIncidentd): Promise<number> {
  const parent = incidentd.process.child.pid!;
  const children = (await readFile(`/proc/${parent}/task/${parent}/children`, 'utf8')).trim().split(/\s+/);
  let total = 0;
  for (const pid of [String(parent), ...children].filter(Boolean)) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    total += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  }
  return total;
}

describe('fuzzing the live server', () => {
  let incidentd: RunningIncidentd | undefined;
  let rulesDir = '';
  /** 4xx answers so far, and 408s (Node's own, no request reached the app, so no dead letter). */
  let rejected = 0;
  const logs = () => incidentd?.process.output() ?? '';

  beforeAll(async () => {
    // The sample rules, plus one whose regex backtracks exponentially under JS RegExp (not under RE2).
    rulesDir = await mkdtemp(join(tmpdir(), 'incidentd-fuzz-rules-'));
    for (const f of (await readdir('rules')).filter((f) => f.endsWith('.yaml'))) {
      await copyFile(join('rules', f), join(rulesDir, f));
    }
    await writeFile(
      join(rulesDir, '99-backtracking.yaml'),
      `rules:\n  - name: fuzz-backtracking\n    match: 'has(labels.name) && labels.name.matches("^([a-z0-9]+-?)+$")'\n`,
    );
    incidentd = await startIncidentd(tokens, {
      env: {
        RULES_DIR: rulesDir,
        LOG_LEVEL: 'warn',
        INCIDENTD_HTTP_REQUEST_TIMEOUT: `${REQUEST_TIMEOUT_S}s`,
        INCIDENTD_HTTP_HEADERS_TIMEOUT: `${HEADERS_TIMEOUT_S}s`,
      },
    });
    console.log(`fuzz: seed ${SEED} (FUZZ_SEED=${SEED} to replay), ${RUNS} bodies per source`);
  });

  afterAll(async () => {
    await incidentd?.stop();
    if (rulesDir) await rm(rulesDir, { recursive: true, force: true });
  });

  async function post(source: string, body: BodyInit, headers: Record<string, string> = {}) {
    const res = await fetch(`${incidentd!.url}/webhooks/${source}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.ingest}`, ...headers },
      body,
      signal: AbortSignal.timeout(30_000),
      // Streams need this; harmless otherwise.
      duplex: 'half',
    } as RequestInit);
    const text = await res.text();
    if (res.status >= 400 && res.status < 500 && res.status !== 408) rejected++;
    return { status: res.status, text };
  }

  async function deadLetterCount(): Promise<number> {
    let n = 0;
    let cursor: string | null = null;
    do {
      const res = await fetch(
        `${incidentd!.url}/api/v1/dead-letters?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { headers: { authorization: `Bearer ${tokens.admin}` } },
      );
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: unknown[]; next_cursor: string | null };
      n += page.items.length;
      cursor = page.next_cursor;
    } while (cursor);
    return n;
  }

  // Slices of one seeded sample per source, so each test stays well within its time bound on 2 busy cores.
  const samples = new Map<string, string[]>();
  const sampleOf = (source: string, i: number) => {
    if (!samples.has(source)) samples.set(source, bodiesFor(source, RUNS, SEED + i));
    return samples.get(source)!;
  };
  const totals = new Map<string, { requests: number; ms: number; statuses: Record<number, number> }>();
  for (const [i, source] of SOURCES.entries()) {
    for (let from = 0; from < RUNS; from += SLICE) {
      const to = Math.min(from + SLICE, RUNS);
      it(`mutated ${source} payloads ${from + 1}–${to} of ${RUNS}: never a 5xx`, async () => {
        const bodies = sampleOf(source, i).slice(from, to);
        const total = totals.get(source) ?? { requests: 0, ms: 0, statuses: {} };
        totals.set(source, total);
        const failures: { status: number; body: string; answer: string }[] = [];
        const started = Date.now();
        await runPool(bodies, CONCURRENCY, async (body) => {
          const r = await post(source, body);
          total.statuses[r.status] = (total.statuses[r.status] ?? 0) + 1;
          if (r.status !== 200 && r.status !== 400) {
            failures.push({ status: r.status, body: body.slice(0, 2_000), answer: r.text.slice(0, 500) });
          }
        });
        total.requests += bodies.length;
        total.ms += Date.now() - started;
        if (to === RUNS) {
          console.log(
            `fuzz ${source}: ${total.requests} requests in ${(total.ms / 1000).toFixed(1)} s (${Math.round(total.requests / (total.ms / 1000))}/s, concurrency ${CONCURRENCY}): ${JSON.stringify(total.statuses)}`,
          );
        }
        expect(failures.slice(0, 5), logs().slice(-4_000)).toEqual([]);
        expect(incidentd!.process.exited()).toBe(false);
      });
    }
  }

  it('deeply nested, huge and invalid-UTF-8 bodies: 4xx or 2xx, never 5xx', async () => {
    const deep = 100_000;
    const cases: { name: string; source: string; body: BodyInit }[] = [];
    for (const source of SOURCES) {
      cases.push({ name: 'unclosed [ × 100,000', source, body: '['.repeat(deep) });
      cases.push({ name: '[…] × 100,000', source, body: `${'['.repeat(deep)}${']'.repeat(deep)}` });
      cases.push({
        name: 'object holding [ × 100,000',
        source,
        body: `{"x":${'['.repeat(deep)}${']'.repeat(deep)}}`,
      });
      cases.push({
        name: 'invalid UTF-8',
        source,
        body: Buffer.concat([
          Buffer.from('{"title":"'),
          Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
          Buffer.from('"}'),
        ]),
      });
      cases.push({
        name: 'NUL and lone surrogate escapes',
        source,
        body: '{"title":"a\\u0000b\\ud800c","alerts":[]}',
      });
    }
    // One Alertmanager alert with 10,000 labels, and one with a label value of 1 MB.
    const labels = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`label_${i}`, `value-${i}`]));
    cases.push({
      name: '10,000 labels',
      source: 'alertmanager',
      body: alertmanagerBody([{ labels: { alertname: 'Many', ...labels } }]),
    });
    cases.push({
      name: 'a 1 MB label value',
      source: 'alertmanager',
      body: alertmanagerBody([{ labels: { alertname: 'Long', big: 'x'.repeat(1_000_000) } }]),
    });
    // Dates past year 9999 (JS reaches 275760; PostgreSQL's ISO input does not).
    cases.push({
      name: 'a date in year 30170',
      source: 'datadog',
      body: '{"id":"far","title":"far","date":"890000000000000000"}',
    });
    for (const source of ['grafana', 'alertmanager'] as const) {
      const doc = JSON.parse(loadFixtures().find((f) => f.source === source)!.bodies[0]!) as {
        alerts: { startsAt: string }[];
      };
      doc.alerts[0]!.startsAt = '+030170-06-01T05:34:30.747Z';
      cases.push({ name: 'a date in year 30170', source, body: JSON.stringify(doc) });
    }
    const datadogTags = Array.from({ length: 10_000 }, (_, i) => `tag_${i}:v${i}`).join(',');
    cases.push({
      name: '10,000 tags',
      source: 'datadog',
      body: JSON.stringify({ id: 'many-tags', tags: datadogTags }),
    });
    const outcome: string[] = [];
    for (const c of cases) {
      const r = await post(c.source, c.body);
      outcome.push(`${c.source} ${c.name}: ${r.status}`);
      expect(
        r.status,
        `${c.source} ${c.name}: ${r.text.slice(0, 300)}\n${logs().slice(-3_000)}`,
      ).toBeLessThan(500);
    }
    console.log(`fuzz edge cases:\n  ${outcome.join('\n  ')}`);
    expect((await fetch(`${incidentd!.url}/healthz`)).status).toBe(200);
  });

  it('hostile shapes: huge tag lists, backtracking-prone labels, gzip bodies: never a 5xx, never a stall', async () => {
    const shapes = fc.sample(
      fc.oneof(
        // Datadog tags, as a list or a string, up to 200,000 (the de-dup was quadratic, the split overflowed).
        fc.record({
          kind: fc.constant('tags' as const),
          n: fc.integer({ min: 1, max: 200_000 }),
          keys: fc.integer({ min: 1, max: 5_000 }),
          asString: fc.boolean(),
        }),
        // Label values shaped to make ^([a-z0-9]+-?)+$ backtrack: a long run, then a character that fails it.
        fc.record({
          kind: fc.constant('regex' as const),
          run: fc.stringMatching(/^[a-z0-9-]{20,80}$/),
          tail: fc.constantFrom('!', '_', ' ', '.', ''),
        }),
        // Mutated real payloads, gzip-compressed, sometimes corrupted.
        fc.record({
          kind: fc.constant('gzip' as const),
          pick: fc.nat(),
          corrupt: fc.boolean(),
          coding: fc.constantFrom('gzip', 'deflate', 'br'),
        }),
      ),
      { numRuns: 24, seed: SEED },
    );
    const fixtures = loadFixtures()
      .filter((f) => f.source === 'alertmanager')
      .flatMap((f) => f.bodies);
    const statuses: Record<string, number> = {};
    let slowest = 0;
    for (const shape of shapes) {
      let r: { status: number; text: string };
      if (shape.kind === 'tags') {
        const tags = Array.from({ length: shape.n }, (_, i) => `k${i % shape.keys}:v${i}`);
        r = await post(
          'datadog',
          JSON.stringify({ id: 'fuzz-tags', tags: shape.asString ? tags.join(',') : tags }),
        );
      } else if (shape.kind === 'regex') {
        r = await post(
          'alertmanager',
          alertmanagerBody([{ labels: { alertname: 'FuzzRegex', name: shape.run + shape.tail } }]),
        );
      } else {
        const plain = Buffer.from(fixtures[shape.pick % fixtures.length]!);
        const packed = gzipSync(plain);
        if (shape.corrupt) packed[Math.floor(packed.length / 2)]! ^= 0xff;
        r = await post('alertmanager', packed, { 'content-encoding': shape.coding });
        // Refused while reading (unknown coding, corrupt data): no dead letter, so not one of `rejected`.
        if (r.status >= 400 && !r.text.includes('dead_letter_id')) rejected--;
        if (shape.coding === 'br') expect(r.status).toBe(415);
        else if (shape.coding === 'gzip' && !shape.corrupt) expect(r.status, r.text).toBe(200);
      }
      statuses[`${shape.kind} ${r.status}`] = (statuses[`${shape.kind} ${r.status}`] ?? 0) + 1;
      expect(r.status, `${JSON.stringify(shape).slice(0, 200)}: ${r.text.slice(0, 300)}`).toBeLessThan(500);
      const started = performance.now();
      expect((await fetch(`${incidentd!.url}/healthz`)).status).toBe(200);
      slowest = Math.max(slowest, performance.now() - started);
    }
    console.log(
      `fuzz hostile shapes: ${JSON.stringify(statuses)}; slowest /healthz after one ${Math.round(slowest)} ms`,
    );
  });

  it('50 × 20 MB bodies: 413 each, memory stays bounded', async () => {
    const big = Buffer.alloc(20 * 1024 * 1024, 'a');
    const before = await serverRss(incidentd!);
    const samples: number[] = [];
    const statuses: Record<string, number> = {};
    for (let i = 0; i < 50; i++) {
      // Most declare their length, as senders do (refused before reading); every tenth streams it chunked
      // (read up to the limit, whose first 5 MB are kept as the dead letter).
      const body =
        i % 10 !== 5
          ? big
          : new ReadableStream<Uint8Array>({
              start(controller) {
                for (let off = 0; off < big.length; off += 1024 * 1024)
                  controller.enqueue(big.subarray(off, off + 1024 * 1024));
                controller.close();
              },
            });
      let outcome: string;
      try {
        outcome = String((await post('alertmanager', body as BodyInit)).status);
      } catch (err) {
        outcome = (err as { cause?: { code?: string } }).cause?.code ?? 'error';
      }
      statuses[outcome] = (statuses[outcome] ?? 0) + 1;
      samples.push(await serverRss(incidentd!));
    }
    const mb = (n: number) => Math.round(n / 1024 / 1024);
    const firstHalf = Math.max(...samples.slice(0, 25));
    const secondHalf = Math.max(...samples.slice(25));
    console.log(
      `fuzz oversized: ${JSON.stringify(statuses)}; server RSS ${mb(before)} MB before, peak ${mb(firstHalf)} MB in the first 25 posts, ${mb(secondHalf)} MB in the last 25, ${mb(samples.at(-1)!)} MB at the end`,
    );
    // Every sender sees the 413 (not a reset connection, which it would retry).
    expect(statuses).toEqual({ 413: 50 });
    // Bounded: no growth with the number of posts (1 GB went by), and never a whole body per post.
    expect(secondHalf).toBeLessThan(firstHalf + 150 * 1024 * 1024);
    expect(Math.max(...samples) - before).toBeLessThan(1024 * 1024 * 1024);
  });

  it('a slow client is cut off while others are served', async () => {
    const { port } = incidentd!;
    type Slow = { closedAfterMs: Promise<number>; answer: () => string; stop: () => void };
    /** Sends `head` then one byte a second of `trickle`, forever; resolves when the server closes. */
    const slow = (head: string, trickle: string): Slow => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      const opened = Date.now();
      socket.on('data', (d) => {
        answer += d.toString('latin1');
      });
      socket.on('error', () => {});
      socket.write(head);
      let i = 0;
      const timer = setInterval(() => socket.write(trickle[i++ % trickle.length]!), 1_000);
      const closedAfterMs = new Promise<number>((resolve) =>
        socket.on('close', () => {
          clearInterval(timer);
          resolve(Date.now() - opened);
        }),
      );
      return { closedAfterMs, answer: () => answer, stop: () => socket.destroy() };
    };
    const body = slow(
      `POST /webhooks/alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${tokens.ingest}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`,
      '{ ',
    );
    const headers = slow('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: yes\r\n');
    try {
      // Meanwhile, everyone else is served as usual.
      for (let n = 0; n < 3; n++) {
        const started = Date.now();
        expect((await fetch(`${incidentd!.url}/healthz`)).status).toBe(200);
        const r = await post(
          'alertmanager',
          alertmanagerBody([{ labels: { alertname: 'WhileSlow', n: String(n) } }]),
        );
        expect(r.status).toBe(200);
        expect(Date.now() - started).toBeLessThan(5_000);
        await new Promise((r) => setTimeout(r, 1_000));
      }
      const [bodyMs, headersMs] = await Promise.all([body.closedAfterMs, headers.closedAfterMs]);
      console.log(
        `fuzz slow clients: trickled body cut after ${bodyMs} ms, trickled headers after ${headersMs} ms`,
      );
      expect(bodyMs).toBeLessThan((REQUEST_TIMEOUT_S + 5) * 1_000);
      expect(headersMs).toBeLessThan((HEADERS_TIMEOUT_S + 5) * 1_000);
      expect(body.answer()).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      body.stop();
      headers.stop();
    }
  });

  it('the server is alive and every rejection was kept as a dead letter', async () => {
    await waitFor('/healthz 200', async () =>
      (await fetch(`${incidentd!.url}/healthz`)).status === 200 ? true : undefined,
    );
    expect(incidentd!.process.exited()).toBe(false);
    const lost = logs()
      .split('\n')
      .filter((l) => l.includes('could not keep dead letter'));
    expect(await deadLetterCount(), lost.slice(0, 5).join('\n')).toBe(rejected);
    // Not even a 500 that no client saw (a request cut off mid-body).
    const unhandled = logs()
      .split('\n')
      .filter((l) => l.includes('unhandled error'));
    expect(unhandled.slice(0, 3)).toEqual([]);
  });
});
