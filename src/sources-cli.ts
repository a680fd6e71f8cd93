import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadCatalog } from './catalog.ts';
import type { NormalizedAlert } from './core/alert.ts';
import { findSource } from './sources/find-source.ts';
import { decodeWebhookBody } from './sources/form-body.ts';

type Writer = { write(text: string): unknown };

const USAGE = 'usage: incidentd sources test NAME BODY.json [--table] [--form]\n';

/** What an alert is once normalized, without the body it came from. */
function shown(a: NormalizedAlert) {
  return {
    source: a.source,
    fingerprint: a.fingerprint,
    status: a.status,
    title: a.title,
    labels: a.labels,
    annotations: a.annotations,
  };
}

function table(alerts: NormalizedAlert[]): string {
  const rows = [
    ['STATUS', 'FINGERPRINT', 'TITLE', 'LABELS'],
    ...alerts.map((a) => [
      a.status,
      a.fingerprint,
      a.title,
      Object.entries(a.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * `incidentd sources test NAME BODY.json`: the alerts a webhook body becomes, by the catalog's (INCIDENTD_CONFIG)
 * source NAME (or a built-in one: alertmanager, grafana, datadog). Exit 0 and the alerts (JSON, or a table with
 * `--table`); exit 1 and the error for a body the source refuses; 2 for a usage error.
 */
export async function sourcesCommand(
  args: string[],
  out: Writer = process.stdout,
  err: Writer = process.stderr,
): Promise<number> {
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const [sub, name, file, ...extra] = args.filter((a) => !a.startsWith('--'));
  const unknownFlag = [...flags].find((f) => f !== '--table' && f !== '--form');
  if (sub !== 'test' || !name || !file || extra.length > 0 || unknownFlag) {
    err.write(USAGE);
    return 2;
  }
  const catalogFile = resolve(process.env.INCIDENTD_CONFIG || 'incidentd.yaml');
  let custom: ReturnType<typeof loadCatalog>['sources'];
  try {
    custom = loadCatalog(catalogFile).sources;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err.write(`${e.message}\n`);
    return 1;
  }
  const source = findSource(`custom/${name}`, custom) ?? findSource(name, custom);
  if (!source) {
    const known = custom.map((s) => s.name).join(', ') || 'none';
    err.write(`incidentd: no source "${name}" in ${catalogFile} (sources: ${known})\n`);
    return 1;
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    err.write(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})\n`);
    return 1;
  }
  const type = flags.has('--form') ? 'application/x-www-form-urlencoded' : 'application/json';
  const decoded = decodeWebhookBody(source, type, bytes);
  if (!decoded.ok) {
    err.write(`${file}: ${decoded.error}\n`);
    return 1;
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(decoded.bytes));
  } catch (e) {
    err.write(`${file}: body: invalid JSON (${(e as Error).message})\n`);
    return 1;
  }
  const result = source.parse(body, new Date());
  if (!result.ok) {
    err.write(`${file}: ${result.error}\n`);
    return 1;
  }
  out.write(
    flags.has('--table')
      ? `${table(result.alerts)}\n`
      : `${JSON.stringify(result.alerts.map(shown), null, 2)}\n`,
  );
  return 0;
}
