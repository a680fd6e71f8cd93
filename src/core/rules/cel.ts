import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import { guardCel, withBudget } from './cel-guard.ts';

export type CelProgram = ParseResult;

/** What the `match` expression sees of an alert. */
const alertEnv = new Environment({ enableOptionalTypes: true })
  .registerVariable('labels', 'map<string, string>')
  .registerVariable('annotations', 'map<string, string>')
  .registerVariable('source', 'string')
  .registerVariable('status', 'string')
  .registerVariable('title', 'string');

/** What `severity` and `open_when` see of a group: customers, alerts (count), labels (group labels). */
const groupEnv = new Environment({ enableOptionalTypes: true })
  .registerVariable('customers', 'list<string>')
  .registerVariable('alerts', 'int')
  .registerVariable('labels', 'map<string, string>');

/** What a custom source's mapping sees: the webhook body, and with `items`, each item as well. */
const bodyEnv = new Environment({ enableOptionalTypes: true }).registerVariable('body', 'dyn');
const itemEnv = new Environment({ enableOptionalTypes: true })
  .registerVariable('body', 'dyn')
  .registerVariable('item', 'dyn');

const ENVIRONMENTS = { alert: alertEnv, group: groupEnv, body: bodyEnv, item: itemEnv };

export type CelScope = keyof typeof ENVIRONMENTS;

export type CompileResult =
  | { ok: true; program: CelProgram }
  | { ok: false; message: string /** 0-based offset in the expression, when known. */; offset?: number };

interface CelErrorLike {
  summary?: string;
  message: string;
  range?: { start: number; end: number };
}

function failure(error: unknown, kind: string): CompileResult {
  const e = error as CelErrorLike;
  const summary = e.summary ?? e.message.split('\n')[0] ?? String(error);
  const offset = e.range?.start;
  return offset === undefined
    ? { ok: false, message: `${kind}: ${summary}` }
    : { ok: false, message: `${kind}: ${summary}`, offset };
}

/**
 * Parses and type-checks once, so typos (`lables.x`) and wrong result types fail at load, not at 3 a.m.
 * `expect` is the result type the caller needs ('bool' or 'string'; 'any' checks nothing); `dyn` is accepted.
 */
export function compileCel(
  source: string,
  scope: CelScope,
  expect: 'bool' | 'string' | 'any',
): CompileResult {
  const env = ENVIRONMENTS[scope];
  let program: CelProgram;
  try {
    program = env.parse(source);
  } catch (error) {
    return failure(error, 'CEL syntax error');
  }
  const checked = program.check();
  if (!checked.valid) return failure(checked.error, 'CEL type error');
  if (expect !== 'any' && checked.type !== expect && checked.type !== 'dyn') {
    return { ok: false, message: `CEL expression must return ${expect}, not ${checked.type}` };
  }
  const guarded = guardCel(program.ast as unknown as Parameters<typeof guardCel>[0]);
  if (!guarded.ok) return { ok: false, message: guarded.message, offset: guarded.offset };
  return { ok: true, program };
}

export interface AlertScope {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  source: string;
  status: string;
  title: string;
}

/** A custom source's body (decoded JSON) and, for sources with `items`, the current item. */
export interface BodyScope {
  body: unknown;
  item?: unknown;
}

export interface GroupScope {
  customers: readonly string[];
  alerts: number;
  labels: Record<string, string>;
}

/**
 * Runs a compiled expression within the evaluation budget. An evaluation error (e.g. `labels.team` on an alert
 * without that label) yields `value: undefined`, which callers treat as "no match" / "not yet", never as a
 * crash of the pipeline; so does running out of budget, which `exceeded` reports so callers can count it.
 */
export function evaluateCel(
  program: CelProgram,
  scope: AlertScope | GroupScope | BodyScope,
): { value: unknown; exceeded: boolean; error?: unknown } {
  const ctx =
    'alerts' in scope ? { ...scope, customers: [...scope.customers], alerts: BigInt(scope.alerts) } : scope;
  const run = withBudget(() => program(ctx));
  return run.error === undefined
    ? { value: run.value, exceeded: run.exceeded }
    : { value: run.value, exceeded: run.exceeded, error: run.error };
}

/** evaluateCel's value alone. */
export function runCel(program: CelProgram, scope: AlertScope | GroupScope): unknown {
  return evaluateCel(program, scope).value;
}
