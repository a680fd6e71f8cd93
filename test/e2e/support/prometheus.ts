import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type Spawned, startProcess, waitUntilReady, which } from './processes.ts';

export const PROMETHEUS_BINARY = 'prometheus';

export interface RunningPrometheus {
  url: string;
  process: Spawned;
  /** Rewrites the rule file and asks Prometheus to reload (POST /-/reload, --web.enable-lifecycle). */
  reloadRules(rules: string): Promise<void>;
  stop(): Promise<void>;
}

/** Evaluates every second and sends alerts to incidentd's Alertmanager API with the ingest token as Bearer. */
function config(target: string, token: string, pathPrefix: string): string {
  return `global:
  scrape_interval: 1m
  evaluation_interval: 1s
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - api_version: v2
      scheme: http
      path_prefix: ${JSON.stringify(pathPrefix || '/')}
      timeout: 5s
      authorization:
        credentials: ${JSON.stringify(token)}
      static_configs:
        - targets: [${JSON.stringify(target)}]
`;
}

/**
 * A private Prometheus on a free loopback port with its own config and TSDB directory (not the Debian
 * package's service on :9090), sending alerts to `target` (host:port).
 */
export async function startPrometheus(opts: {
  target: string;
  token: string;
  rules: string;
  pathPrefix?: string;
}): Promise<RunningPrometheus> {
  const binary = which(PROMETHEUS_BINARY);
  if (!binary) {
    throw new Error(
      `${PROMETHEUS_BINARY} not found on PATH: install it with \`apt-get install -y --no-install-recommends prometheus\` (.ci/run does)`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'incidentd-e2e-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, config(opts.target, opts.token, opts.pathPrefix ?? ''));
  await writeFile(join(dir, 'rules.yml'), opts.rules);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess('prometheus', binary, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-lifecycle',
    // Every reload restarts alertmanager discovery (~5 s without targets): alerts evaluated then are dropped
    // and re-sent only after the resend delay (default 1m). Alerts then carry endsAt = now + 4 s.
    '--rules.alert.resend-delay=1s',
    '--log.level=debug',
  ]);
  const stop = async () => {
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };
  await waitUntilReady('Prometheus', proc, `${url}/-/ready`, stop);
  return {
    url,
    process: proc,
    stop,
    async reloadRules(rules) {
      await writeFile(join(dir, 'rules.yml'), rules);
      const res = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (res.status !== 200) throw new Error(`Prometheus reload: ${res.status} ${await res.text()}`);
    },
  };
}
