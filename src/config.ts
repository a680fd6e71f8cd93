import { resolve } from 'node:path';
import { type Catalog, ConfigError, loadCatalog } from './catalog.ts';
import { parseDuration } from './core/duration.ts';

/** Everything incidentd reads from its environment, validated once. Nothing else reads process.env. */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  rulesDir: string;
  catalogFile: string;
  catalog: Catalog;
  ingestToken: string | null;
  adminToken: string | null;
  grafanaHmacSecret: string | null;
  publicUrl: string;
  maxBodyBytes: number;
  jobIntervalMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

type Env = Record<string, string | undefined>;

function intFrom(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name}: expected a whole number, got "${raw}"`);
  return n;
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const port = intFrom(env, 'PORT', 8080);
  const catalogFile = resolve(cwd, env.INCIDENTD_CONFIG || 'incidentd.yaml');
  const level = env.LOG_LEVEL ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) {
    throw new ConfigError(`LOG_LEVEL: expected debug, info, warn or error, got "${level}"`);
  }
  const jobInterval = parseDuration(env.INCIDENTD_JOB_INTERVAL ?? '5s');
  if (jobInterval === null || jobInterval < 100) {
    throw new ConfigError(
      `INCIDENTD_JOB_INTERVAL: expected a duration like 5s, got "${env.INCIDENTD_JOB_INTERVAL}"`,
    );
  }
  return Object.freeze({
    port,
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || null,
    dataDir: env.DATA_DIR === 'memory://' ? 'memory://' : resolve(cwd, env.DATA_DIR || 'data'),
    rulesDir: resolve(cwd, env.RULES_DIR || 'rules'),
    catalogFile,
    catalog: loadCatalog(catalogFile),
    ingestToken: env.INCIDENTD_INGEST_TOKEN || null,
    adminToken: env.INCIDENTD_ADMIN_TOKEN || null,
    grafanaHmacSecret: env.INCIDENTD_GRAFANA_HMAC_SECRET || null,
    publicUrl: (env.INCIDENTD_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    maxBodyBytes: intFrom(env, 'INCIDENTD_MAX_BODY_BYTES', 5 * 1024 * 1024),
    jobIntervalMs: jobInterval,
    logLevel: level as Config['logLevel'],
  });
}
