import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readTokensFile, TOKEN_VARIABLES, tokensFile } from './auth/tokens.ts';
import { loadConfig } from './config.ts';

/** The sample payloads beside the sources, so `npx incidentd demo` finds them from any folder. */
export const EXAMPLES_DIR = resolve(import.meta.dirname, '../examples');
const PACKAGED_CATALOG = resolve(import.meta.dirname, '../incidentd.yaml');

type Writer = { write(text: string): unknown };

export interface DemoOptions {
  /** The server, e.g. http://localhost:8080. */
  baseUrl: string;
  ingestToken: string;
  /** Optional: with it, each incident's title and severity and each waiting alert's reason are shown. */
  adminToken: string | null;
  /** Payload files; the source is the file name up to its first `-` (alertmanager-…, grafana-…, datadog-…). */
  files: string[];
  now: Date;
  out: Writer;
}

interface WebhookAnswer {
  accepted?: number;
  incidents?: string[];
  unrouted?: { fingerprint: string; reason: string }[];
  error?: string;
  message?: string;
}

/** The example files in name order. */
export function exampleFiles(dir = EXAMPLES_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Moves the payload's times to now, so the incident reads "started a minute ago" rather than on the day the
 * example was written. Alertmanager and Grafana: each firing alert's startsAt; Datadog: `date`/`last_updated`.
 */
export function freshen(source: string, body: Record<string, unknown>, now: Date): Record<string, unknown> {
  if (source === 'datadog') {
    const ms = String(now.getTime());
    return { ...body, date: ms, last_updated: ms };
  }
  if (!Array.isArray(body.alerts)) return body;
  const alerts = body.alerts.map((a: Record<string, unknown>, i: number) =>
    a.status === 'firing'
      ? { ...a, startsAt: new Date(now.getTime() - 90_000 + i * 10_000).toISOString() }
      : a,
  );
  return { ...body, alerts };
}

async function api(opts: DemoOptions, path: string): Promise<Record<string, unknown> | null> {
  if (!opts.adminToken) return null;
  const res = await fetch(`${opts.baseUrl}${path}`, {
    headers: { authorization: `Bearer ${opts.adminToken}` },
  });
  return res.ok ? ((await res.json()) as Record<string, unknown>) : null;
}

async function publishedIds(baseUrl: string): Promise<Set<string>> {
  const res = await fetch(`${baseUrl}/api/v2/incidents/unresolved.json`);
  const body = (await res.json()) as { incidents?: { id: string }[] };
  return new Set((body.incidents ?? []).map((i) => i.id));
}

async function describeIncident(opts: DemoOptions, id: string, published: Set<string>): Promise<string> {
  const incident = await api(opts, `/api/v1/incidents/${id}`);
  const customers = (incident?.customers ?? []) as string[];
  const what = incident
    ? ` ${incident.severity} "${incident.title}" (rule ${incident.rule}${customers.length ? `; customers ${customers.join(', ')}` : ''})`
    : '';
  if (published.has(id)) return `incident ${id}${what}: on the status page, ${opts.baseUrl}/incidents/${id}`;
  return `incident ${id}${what}: internal until a responder posts the first public update (publish: review), ${opts.baseUrl}/internal/incidents/${id}`;
}

async function describeWaiting(opts: DemoOptions, source: string, answer: WebhookAnswer): Promise<string[]> {
  if (answer.unrouted?.length) return answer.unrouted.map((u) => `no incident: ${u.reason}`);
  const list = await api(opts, `/api/v1/alerts?routed=false&source=${source}&limit=${answer.accepted ?? 1}`);
  const items = (list?.items ?? []) as { unrouted_reason?: string | null }[];
  if (items.length === 0) return ['no incident (yet): see GET /api/v1/alerts?routed=false'];
  return items.map((a) => `no incident (yet): ${a.unrouted_reason ?? 'not routed'}`);
}

/** Posts each file to its webhook and prints what became of it. Returns the exit code. */
export async function runDemo(opts: DemoOptions): Promise<number> {
  const answers: { file: string; source: string; answer: WebhookAnswer }[] = [];
  for (const file of opts.files) {
    const source = basename(file).split('-')[0] ?? '';
    const body = freshen(source, JSON.parse(readFileSync(file, 'utf8')), opts.now);
    const res = await fetch(`${opts.baseUrl}/webhooks/${source}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.ingestToken}` },
      body: JSON.stringify(body),
    });
    const answer = (await res.json().catch(() => ({}))) as WebhookAnswer;
    if (!res.ok) {
      opts.out.write(`${basename(file)} → ${res.status} ${answer.message ?? answer.error ?? ''}\n`);
      if (res.status === 401) {
        opts.out.write(
          `the ingest token is not the server's: pass --token or set ${TOKEN_VARIABLES.ingest} to the one it printed\n`,
        );
      }
      return 1;
    }
    answers.push({ file, source, answer });
  }
  // After every webhook: the status page snapshot has caught up with the published incidents.
  await new Promise((r) => setTimeout(r, 300));
  const published = await publishedIds(opts.baseUrl);
  for (const { file, source, answer } of answers) {
    opts.out.write(
      `${basename(file)} → POST /webhooks/${source}: ${plural(answer.accepted ?? 0, 'alert')} accepted\n`,
    );
    const lines = answer.incidents?.length
      ? await Promise.all(answer.incidents.map((id) => describeIncident(opts, id, published)))
      : await describeWaiting(opts, source, answer);
    for (const line of lines) opts.out.write(`  ${line}\n`);
  }
  opts.out.write(`\nStatus page: ${opts.baseUrl}/\nConsole (admin token): ${opts.baseUrl}/internal\n`);
  return 0;
}

/** Polls /readyz, so `npm start & npm run demo` works on a first start that takes a while. */
async function waitUntilReady(baseUrl: string, timeoutMs: number, err: Writer): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const ready = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) return true;
    if (Date.now() >= deadline) return false;
    if (attempt === 0) err.write(`waiting for ${baseUrl} to be ready (start it with npm start)…\n`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
}

/**
 * `incidentd demo [--url URL] [--token TOKEN] [--wait SECONDS] [FILE...]`. Waits for the server to be ready
 * (default 60 s). The ingest token comes from --token, else
 * INCIDENTD_INGEST_TOKEN, else the tokens file the server wrote in DATA_DIR when it generated its tokens.
 */
export async function demoCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  out: Writer = process.stdout,
  err: Writer = process.stderr,
): Promise<number> {
  const args = [...argv];
  const url = option(args, '--url');
  const token = option(args, '--token');
  const wait = Number(option(args, '--wait') ?? 60);
  // The demo needs no catalog, but loadConfig validates one: outside a checkout, use the packaged sample.
  const catalog =
    env.INCIDENTD_CONFIG || existsSync('incidentd.yaml') ? {} : { INCIDENTD_CONFIG: PACKAGED_CATALOG };
  const config = loadConfig({ ...env, ...catalog });
  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  const baseUrl = (url ?? `http://${host}:${config.port}`).replace(/\/+$/, '');
  if (!(await waitUntilReady(baseUrl, wait * 1000, err))) {
    err.write(`incidentd demo: ${baseUrl} is not ready after ${wait} s (is the server running? npm start)\n`);
    return 1;
  }
  // After readiness: a server starting for the first time writes its tokens file before it is ready.
  const file = config.databaseUrl ? null : tokensFile(config.dataDir);
  const saved = file ? readTokensFile(file) : {};
  const ingestToken = token ?? config.ingestToken ?? saved[TOKEN_VARIABLES.ingest];
  if (!ingestToken) {
    err.write(
      `incidentd demo: no ingest token: pass --token TOKEN or set ${TOKEN_VARIABLES.ingest} (the server prints a generated one once${file ? `; with embedded storage it also writes ${file}` : ''})\n`,
    );
    return 1;
  }
  try {
    return await runDemo({
      baseUrl,
      ingestToken,
      adminToken: config.adminToken ?? saved[TOKEN_VARIABLES.admin] ?? null,
      files: args.length > 0 ? args.map((f) => resolve(f)) : exampleFiles(),
      now: new Date(),
      out,
    });
  } catch (e) {
    err.write(`incidentd demo: ${baseUrl}: ${(e as Error).message} (is the server running? npm start)\n`);
    return 1;
  }
}
