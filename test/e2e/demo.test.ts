import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningIncidentd, startIncidentd } from './support/incidentd.ts';

// The newcomer's path: `npm start` with no tokens set (generated, printed once, written to DATA_DIR/tokens),
// then `npm run demo` in another terminal, which finds the token in that file and opens the first incidents.
const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

describe('npm run demo against the real server', () => {
  let incidentd: RunningIncidentd | undefined;

  beforeAll(async () => {
    // Empty variables: the server generates its tokens, as on a first `npm start`.
    incidentd = await startIncidentd(
      { ingest: '', admin: '' },
      { env: { INCIDENTD_INGEST_TOKEN: '', INCIDENTD_ADMIN_TOKEN: '' } },
    );
  });

  afterAll(async () => {
    await incidentd?.stop();
  });

  it('opens a published outage, an internal incident and a waiting candidate from examples/', async () => {
    const { url, port, dataDir } = incidentd!;
    const log = incidentd!.process.output();
    expect(log).toMatch(/tokens ingest=generated admin=generated file=\S+tokens/);
    expect(log).toContain(`webhook alertmanager: http://localhost:${port}/webhooks/alertmanager`);
    const tokensFile = join(dataDir, 'tokens');
    expect(statSync(tokensFile).mode & 0o777).toBe(0o600);
    const admin = /INCIDENTD_ADMIN_TOKEN=(\S+)/.exec(readFileSync(tokensFile, 'utf8'))![1]!;

    const { stdout } = await run(join(ROOT, 'node_modules/.bin/tsx'), ['src/cli.ts', 'demo'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '' },
      timeout: 60_000,
    });
    const logs = `--- demo ---\n${stdout}\n--- incidentd ---\n${incidentd!.process.output()}`;
    expect(stdout, logs).toMatch(/SEV1 "Database outage in eu-west-1".*on the status page/);
    expect(stdout, logs).toMatch(/"Authentication degraded: AuthLoginErrorsHigh".*publish: review/);
    expect(stdout, logs).toMatch(
      /no incident: waiting in candidate group of rule "webhook-delivery-failures" \(open_when not yet true/,
    );
    expect(stdout, logs).toContain(`Status page: ${url}/`);

    const summary = (await (await fetch(`${url}/api/v2/summary.json`)).json()) as {
      status: { indicator: string };
      incidents: { id: string; name: string }[];
      components: { id: string; status: string }[];
    };
    expect(summary.incidents.map((i) => i.name)).toEqual(['Database outage in eu-west-1']);
    expect(summary.components.find((c) => c.id === 'database')?.status).toBe('major_outage');
    expect(summary.status.indicator).toBe('critical');
    const shownId = /on the status page, \S+\/incidents\/(\S+)/.exec(stdout)![1];
    expect(summary.incidents[0]!.id).toBe(shownId);

    const open = (await (
      await fetch(`${url}/api/v1/incidents?state=open`, { headers: { authorization: `Bearer ${admin}` } })
    ).json()) as { items: { rule: string; customers: string[] }[] };
    expect(open.items.map((i) => i.rule).sort()).toEqual(['auth-degraded', 'regional-database-outage']);
    expect(open.items.find((i) => i.rule === 'regional-database-outage')?.customers.sort()).toEqual([
      'acme',
      'globex',
      'umbrella',
    ]);

    // Run twice: the same alerts again change nothing (idempotent), and the demo still succeeds.
    const again = await run(join(ROOT, 'node_modules/.bin/tsx'), ['src/cli.ts', 'demo', '--url', url], {
      cwd: ROOT,
      env: { ...process.env, PORT: '1', DATA_DIR: dataDir, DATABASE_URL: '' },
      timeout: 60_000,
    });
    expect(again.stdout).toContain(`incidents/${shownId}`);
    const after = (await (await fetch(`${url}/api/v2/summary.json`)).json()) as typeof summary;
    expect(after.incidents).toHaveLength(1);
  });

  it('says where to find the token when it has none, and when no server answers', async () => {
    const demo = (args: string[], env: Record<string, string>) =>
      run(join(ROOT, 'node_modules/.bin/tsx'), ['src/cli.ts', 'demo', ...args], {
        cwd: ROOT,
        env: { ...process.env, INCIDENTD_INGEST_TOKEN: '', DATABASE_URL: '', ...env },
        timeout: 60_000,
      }).then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      );
    const noToken = await demo(['--url', incidentd!.url], { DATA_DIR: 'memory://' });
    expect(noToken?.code).toBe(1);
    expect(noToken?.stderr).toContain('no ingest token: pass --token TOKEN or set INCIDENTD_INGEST_TOKEN');
    const noServer = await demo(['--url', 'http://127.0.0.1:9', '--wait', '1'], {
      DATA_DIR: incidentd!.dataDir,
    });
    expect(noServer?.code).toBe(1);
    expect(noServer?.stderr).toContain(
      'http://127.0.0.1:9 is not ready after 1 s (is the server running? npm start)',
    );
  });
});
