import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type Spawned, startProcess, waitUntilReady, which } from './processes.ts';

export const ALERTMANAGER_BINARY = 'prometheus-alertmanager';

export interface RunningAlertmanager {
  url: string;
  process: Spawned;
  stop(): Promise<void>;
}

/** Short group timings so a test sees a notification within seconds, not minutes. */
function config(webhookUrl: string, password: string): string {
  return `route:
  receiver: incidentd
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: incidentd
    webhook_configs:
      - url: ${JSON.stringify(webhookUrl)}
        send_resolved: true
        http_config:
          basic_auth:
            username: alertmanager
            password: ${JSON.stringify(password)}
`;
}

/** A private Alertmanager on a free loopback port, without clustering, delivering to `webhookUrl`. */
export async function startAlertmanager(opts: {
  webhookUrl: string;
  password: string;
}): Promise<RunningAlertmanager> {
  const binary = which(ALERTMANAGER_BINARY);
  if (!binary) {
    throw new Error(
      `${ALERTMANAGER_BINARY} not found on PATH: install it with \`apt-get install -y prometheus-alertmanager\` (.ci/run does)`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'incidentd-e2e-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, config(opts.webhookUrl, opts.password));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess('alertmanager', binary, [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=debug',
  ]);
  const stop = async () => {
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };
  await waitUntilReady('Alertmanager', proc, `${url}/-/ready`, stop);
  return { url, process: proc, stop };
}
