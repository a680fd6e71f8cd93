import { createHash } from 'node:crypto';
import type { AlertStatus, NormalizedAlert, SourceParseResult } from '../../core/alert.ts';
import type { CustomExpression, CustomSourceDef } from '../../core/custom-source-definition.ts';
import { DEFAULT_INGEST_LIMITS, type IngestLimits, overLimit } from '../../core/ingest-limits.ts';
import { type BodyScope, evaluateCel } from '../../core/rules/cel.ts';

/** The name alerts of a custom source are stored under: `custom/<name>`, as in its URL. */
export const customSourceName = (name: string) => `custom/${name}`;

class MappingError extends Error {}

/** A value for messages: strings quoted, the rest as JSON, cut to 80 characters. */
function show(value: unknown): string {
  const text =
    value === undefined
      ? 'nothing'
      : (JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? Number(v) : v)) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function run(field: string, expr: CustomExpression, scope: BodyScope): unknown {
  const result = evaluateCel(expr.program, scope);
  if (result.exceeded) throw new MappingError(`${field}: CEL evaluation budget exceeded (${expr.text})`);
  if (result.error !== undefined) {
    const message = (result.error as Error).message?.split('\n')[0] ?? String(result.error);
    throw new MappingError(`${field}: ${message} (in ${expr.text})`);
  }
  return result.value;
}

/** Scalar CEL results as text; null: no value (null or ""). A map or list is an error. */
function asText(field: string, value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  throw new MappingError(`${field}: must be a string, number or bool, got ${show(value)}`);
}

/** "firing" / "resolved" in any case, or a bool (true = firing). */
function asStatus(field: string, value: unknown): AlertStatus {
  if (value === true) return 'firing';
  if (value === false) return 'resolved';
  const text = typeof value === 'string' ? value.trim().toLowerCase() : null;
  if (text === 'firing' || text === 'resolved') return text;
  throw new MappingError(
    `${field}: must be "firing" or "resolved" (or a bool: true = firing), got ${show(value)}`,
  );
}

/** The default fingerprint: sha256 over the labels sorted by name, 16 hex digits. */
export function labelsFingerprint(labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

function mapOne(
  def: CustomSourceDef,
  scope: BodyScope,
  prefix: string,
  receivedAt: Date,
  limits: IngestLimits,
): NormalizedAlert {
  const textMap = (key: 'labels' | 'annotations') => {
    const entries = Object.entries(def[key]);
    if (entries.length > limits.maxLabelsPerAlert) {
      throw new MappingError(overLimit(`${prefix}${key}`, 'entries', limits, 'maxLabelsPerAlert'));
    }
    const out: Record<string, string> = {};
    for (const [name, expr] of entries) {
      const field = `${prefix}${key}.${name}`;
      const value = asText(field, run(field, expr, scope));
      if (value !== null) out[name] = value;
    }
    return out;
  };
  const labels = textMap('labels');
  const annotations = textMap('annotations');
  const status = def.status
    ? asStatus(`${prefix}status`, run(`${prefix}status`, def.status, scope))
    : 'firing';
  let fingerprint = labelsFingerprint(labels);
  if (def.fingerprint) {
    const field = `${prefix}fingerprint`;
    const value = asText(field, run(field, def.fingerprint, scope));
    if (value === null) throw new MappingError(`${field}: empty (in ${def.fingerprint.text})`);
    fingerprint = value;
  }
  const title =
    (def.title ? asText(`${prefix}title`, run(`${prefix}title`, def.title, scope)) : null) ??
    labels.alertname ??
    customSourceName(def.name);
  return {
    source: customSourceName(def.name),
    fingerprint,
    status,
    labels,
    annotations,
    title,
    startsAt: receivedAt,
    endsAt: status === 'resolved' ? receivedAt : null,
    generatorUrl: null,
    raw: 'item' in scope ? scope.item : scope.body,
  };
}

/**
 * A webhook body → alerts by the source's CEL mapping. Pure; never throws: a body the mapping cannot read is
 * `{ ok: false, error }` naming the field (`items[2].status: must be "firing" or "resolved" …`).
 */
export function mapCustomBody(
  def: CustomSourceDef,
  body: unknown,
  receivedAt: Date,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): SourceParseResult {
  try {
    if (!def.items) {
      return { ok: true, alerts: [mapOne(def, { body }, '', receivedAt, limits)], truncatedAlerts: 0 };
    }
    const items = run('items', def.items, { body });
    if (!Array.isArray(items)) throw new MappingError(`items: must be a list, got ${show(items)}`);
    if (items.length > limits.maxAlertsPerBody) {
      throw new MappingError(overLimit('items', 'entries', limits, 'maxAlertsPerBody'));
    }
    const alerts = items.map((item, i) => mapOne(def, { body, item }, `items[${i}].`, receivedAt, limits));
    return { ok: true, alerts, truncatedAlerts: 0 };
  } catch (error) {
    if (error instanceof MappingError) return { ok: false, error: error.message };
    throw error;
  }
}
