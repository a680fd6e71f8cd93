import { resolve } from 'node:path';
import { type Catalog, ConfigError, loadCatalog } from './catalog.ts';
import { parseDuration } from './core/duration.ts';
import { DEFAULT_INGEST_LIMITS, INGEST_LIMIT_VARIABLES, type IngestLimits } from './core/ingest-limits.ts';

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
  /** Alerts per body, labels per alert, label name and value sizes (INCIDENTD_MAX_ALERTS_PER_BODY etc.). */
  limits?: IngestLimits;
  /** Time to receive a whole request / its headers (INCIDENTD_HTTP_REQUEST_TIMEOUT, _HEADERS_TIMEOUT); unset: server defaults. */
  httpRequestTimeoutMs?: number;
  httpHeadersTimeoutMs?: number;
  jobIntervalMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** OpenTelemetry tracing over OTLP/HTTP; null (the API stays a no-op) unless OTEL_* variables ask for it. */
  tracing: TracingConfig | null;
  /** Datadog API (events out, monitor look-ups, reconciliation); null (integration off) unless DD_API_KEY is set. */
  datadog: DatadogConfig | null;
  /** INCIDENTD_METRICS_TOKEN: a credential for /metrics besides the admin token; null: admin token only. */
  metricsToken?: string | null;
  /** INCIDENTD_METRICS_ADDRESS: serve /metrics there without a credential (and 404 on the main port). */
  metricsAddress?: ListenAddress | null;
  /** After SIGTERM: how long in-flight requests may take before connections are cut (INCIDENTD_SHUTDOWN_TIMEOUT). */
  shutdownTimeoutMs?: number;
  /** After SIGTERM: how long to keep accepting connections (/readyz 503) before closing the listener. */
  shutdownDelayMs?: number;
  /** Longest unparseable webhook body kept whole as a dead letter (INCIDENTD_DEAD_LETTER_BODY_BYTES). */
  deadLetterBodyBytes?: number;
  /** Pruning of old rows; unset (tests): no retention job. */
  retention?: RetentionConfig;
  /** Intake journal of embedded PGlite on disk (INCIDENTD_JOURNAL*); absent (tests): off. */
  journal?: JournalConfig;
}

/** How long rows are kept (ms; null: forever) and how pruning runs. */
export interface RetentionConfig {
  deadLettersMs: number | null;
  /** Resolved alerts tied to no incident, by last seen. */
  alertsMs: number | null;
  /** Alert status changes, by time. */
  alertEventsMs: number | null;
  /** Candidate groups past their expiry (the expire job normally removes them at once). */
  candidateGroupsMs: number | null;
  /** Resolved incidents with their timelines, clocks, notices and alerts: the review record, kept by default. */
  incidentsMs: number | null;
  /** How often one replica prunes. */
  intervalMs: number;
  /** Rows per delete statement. */
  batchSize: number;
  /** Statements per kind and run; a run that hits it lets the next tick go on. */
  maxBatches: number;
}

export interface ListenAddress {
  host: string;
  port: number;
}

export interface JournalConfig {
  /** INCIDENTD_JOURNAL=off turns it off; it only ever applies to PGlite on disk. */
  enabled: boolean;
  /** Checkpoint (and truncate the journal) once it holds this much, or every interval, and at shutdown. */
  checkpointBytes: number;
  checkpointIntervalMs: number;
  /** Test-only fault injection (INCIDENTD_TEST_EXIT_AFTER_JOURNAL=1): SIGKILL itself right after an fdatasync. */
  testExitAfterJournal: boolean;
}

export interface DatadogConfig {
  apiKey: string;
  /** Monitor look-ups and reconciliation read monitors, which needs an application key too. */
  appKey: string | null;
  site: string;
  /** Base URL of the API: DD_API_URL, else https://api.<site>. */
  apiUrl: string;
  /** How long a webhook waits for a monitor look-up before it is ingested without it. */
  lookupTimeoutMs: number;
  reconcileIntervalMs: number;
  /** A firing Datadog alert not seen for this long has its monitor checked. */
  reconcileStaleAfterMs: number;
}

export interface TracingConfig {
  serviceName: string;
  /** Full URL of the OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces. */
  tracesUrl: string;
}

type Env = Record<string, string | undefined>;

function intFrom(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name}: expected a whole number, got "${raw}"`);
  return n;
}

/**
 * The standard OpenTelemetry variables, as the SDK spec reads them: on when an OTLP endpoint is given,
 * off with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. Only OTLP over HTTP is built in.
 */
function tracingFrom(env: Env): TracingConfig | null {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return null;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  if (exporters.includes('none')) return null;
  const unsupported = exporters.filter((e) => e !== 'otlp');
  if (unsupported.length > 0) {
    throw new ConfigError(
      `OTEL_TRACES_EXPORTER: only otlp or none are supported, got "${unsupported.join(', ')}"`,
    );
  }
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    if (env[name]?.trim() === 'grpc') {
      throw new ConfigError(`${name}: grpc is not supported; use http/protobuf or http/json (port 4318)`);
    }
  }
  // The signal-specific endpoint is used as is; the base one gets the /v1/traces path appended.
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const [name, tracesUrl] = specific
    ? ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', specific]
    : base
      ? ['OTEL_EXPORTER_OTLP_ENDPOINT', `${base.replace(/\/+$/, '')}/v1/traces`]
      : [null, null];
  if (!name || !tracesUrl) return null;
  if (!URL.canParse(tracesUrl) || !/^https?:$/.test(new URL(tracesUrl).protocol)) {
    throw new ConfigError(`${name}: expected an http(s) URL, got "${specific ?? base}"`);
  }
  return { serviceName: env.OTEL_SERVICE_NAME?.trim() || 'incidentd', tracesUrl };
}

/** Each ingest limit from its variable: a whole number of at least 1. */
function ingestLimitsFrom(env: Env): IngestLimits {
  const limits = { ...DEFAULT_INGEST_LIMITS };
  for (const key of Object.keys(INGEST_LIMIT_VARIABLES) as (keyof IngestLimits)[]) {
    const name = INGEST_LIMIT_VARIABLES[key];
    limits[key] = intFrom(env, name, DEFAULT_INGEST_LIMITS[key]);
    if (limits[key] < 1) throw new ConfigError(`${name}: expected at least 1, got "${env[name]}"`);
  }
  return Object.freeze(limits);
}

function durationFrom(env: Env, name: string, fallback: string, minMs: number): number {
  const ms = parseDuration(env[name] || fallback);
  if (ms === null || ms < minMs) {
    throw new ConfigError(`${name}: expected a duration like ${fallback}, got "${env[name]}"`);
  }
  return ms;
}

function journalFrom(env: Env): JournalConfig {
  const setting = (env.INCIDENTD_JOURNAL ?? '').trim().toLowerCase();
  if (!['', 'on', 'off'].includes(setting)) {
    throw new ConfigError(`INCIDENTD_JOURNAL: expected on or off, got "${env.INCIDENTD_JOURNAL}"`);
  }
  return {
    enabled: setting !== 'off',
    checkpointBytes: intFrom(env, 'INCIDENTD_JOURNAL_CHECKPOINT_BYTES', 16 * 1024 * 1024),
    checkpointIntervalMs: durationFrom(env, 'INCIDENTD_JOURNAL_CHECKPOINT_INTERVAL', '30s', 100),
    testExitAfterJournal: env.INCIDENTD_TEST_EXIT_AFTER_JOURNAL === '1',
  };
}

/** On when DD_API_KEY is set; DD_API_URL points the client elsewhere (a proxy, a test stand-in). */
function datadogFrom(env: Env): DatadogConfig | null {
  const apiKey = env.DD_API_KEY?.trim();
  if (!apiKey) return null;
  const site = env.DD_SITE?.trim() || 'datadoghq.com';
  const apiUrl = (env.DD_API_URL?.trim() || `https://api.${site}`).replace(/\/+$/, '');
  if (!URL.canParse(apiUrl) || !/^https?:$/.test(new URL(apiUrl).protocol)) {
    throw new ConfigError(`DD_API_URL: expected an http(s) URL, got "${env.DD_API_URL ?? apiUrl}"`);
  }
  return {
    apiKey,
    appKey: env.DD_APP_KEY?.trim() || null,
    site,
    apiUrl,
    lookupTimeoutMs: durationFrom(env, 'INCIDENTD_DATADOG_LOOKUP_TIMEOUT', '2s', 10),
    reconcileIntervalMs: durationFrom(env, 'INCIDENTD_DATADOG_RECONCILE_INTERVAL', '5m', 1000),
    reconcileStaleAfterMs: durationFrom(env, 'INCIDENTD_DATADOG_RECONCILE_AFTER', '10m', 1000),
  };
}

/** `host:port`, `:port` (all interfaces) or `[v6]:port`; port 0 picks a free one. */
export function listenAddressFrom(env: Env, name: string): ListenAddress | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(raw);
  const port = Number(m?.[3]);
  if (!m || port > 65_535)
    throw new ConfigError(`${name}: expected HOST:PORT like 127.0.0.1:9464, got "${raw}"`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** A retention period: a duration of at least an hour, or `off` (keep forever). */
function keepFor(env: Env, name: string, fallback: string): number | null {
  const raw = (env[name] || fallback).trim().toLowerCase();
  if (raw === 'off' || raw === 'forever') return null;
  const ms = parseDuration(raw);
  if (ms === null || ms < 3_600_000) {
    throw new ConfigError(
      `${name}: expected a duration of at least 1h (like 30d) or off, got "${env[name]}"`,
    );
  }
  return ms;
}

function retentionFrom(env: Env): RetentionConfig {
  const batchSize = intFrom(env, 'INCIDENTD_RETENTION_BATCH', 500);
  if (batchSize < 1 || batchSize > 10_000)
    throw new ConfigError(`INCIDENTD_RETENTION_BATCH: expected 1 to 10000, got "${batchSize}"`);
  return {
    deadLettersMs: keepFor(env, 'INCIDENTD_RETAIN_DEAD_LETTERS', '30d'),
    alertsMs: keepFor(env, 'INCIDENTD_RETAIN_ALERTS', '30d'),
    alertEventsMs: keepFor(env, 'INCIDENTD_RETAIN_ALERT_EVENTS', '30d'),
    candidateGroupsMs: keepFor(env, 'INCIDENTD_RETAIN_CANDIDATE_GROUPS', '7d'),
    incidentsMs: keepFor(env, 'INCIDENTD_RETAIN_INCIDENTS', 'off'),
    intervalMs: durationFrom(env, 'INCIDENTD_RETENTION_INTERVAL', '1h', 1000),
    batchSize,
    maxBatches: 20,
  };
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
    limits: ingestLimitsFrom(env),
    httpRequestTimeoutMs: durationFrom(env, 'INCIDENTD_HTTP_REQUEST_TIMEOUT', '30s', 1000),
    httpHeadersTimeoutMs: durationFrom(env, 'INCIDENTD_HTTP_HEADERS_TIMEOUT', '10s', 1000),
    jobIntervalMs: jobInterval,
    logLevel: level as Config['logLevel'],
    tracing: tracingFrom(env),
    datadog: datadogFrom(env),
    metricsToken: env.INCIDENTD_METRICS_TOKEN || null,
    metricsAddress: listenAddressFrom(env, 'INCIDENTD_METRICS_ADDRESS'),
    shutdownTimeoutMs: durationFrom(env, 'INCIDENTD_SHUTDOWN_TIMEOUT', '10s', 0),
    shutdownDelayMs: durationFrom(env, 'INCIDENTD_SHUTDOWN_DELAY', '0s', 0),
    deadLetterBodyBytes: intFrom(env, 'INCIDENTD_DEAD_LETTER_BODY_BYTES', 256 * 1024),
    retention: retentionFrom(env),
    journal: journalFrom(env),
  });
}
