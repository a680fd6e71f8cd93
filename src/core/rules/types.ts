import type { ComponentStatus } from '../component-status.ts';
import type { Severity } from '../severity.ts';
import type { CelProgram } from './cel.ts';

/** A CEL expression compiled once at load time, kept with its source for messages. */
export interface CompiledExpr {
  source: string;
  program: CelProgram;
}

export type RuleSeverity = { kind: 'constant'; value: Severity } | { kind: 'cel'; expr: CompiledExpr };

/** One validated correlation rule (rules/*.yaml). Durations are milliseconds. */
export interface Rule {
  name: string;
  /** Where it was defined, for messages. */
  file: string;
  line: number;
  match: CompiledExpr;
  /** Alerts with equal values of these labels share one incident; a missing label counts as "". */
  groupBy: string[];
  customerLabel: string;
  windowMs: number;
  severity: RuleSeverity;
  components: string[];
  componentStatus: ComponentStatus;
  /** Template with `{{ label }}` placeholders (group_by labels and alertname). */
  title: string;
  /** 0: resolve by hand. */
  resolveAfterMs: number;
  /** null: open at the first matching alert. */
  openWhen: CompiledExpr | null;
  publish: 'review' | 'auto';
  publicMessage: string | null;
}

/** Rules in evaluation order: files by name, rules in file order; the first match wins. */
export interface RuleSet {
  rules: readonly Rule[];
  byName: ReadonlyMap<string, Rule>;
}

/** One problem found while loading rules. Lines and columns are 1-based. */
export interface RuleProblem {
  file: string;
  line: number;
  column?: number;
  message: string;
}

export type LoadRuleSetResult = { ok: true; rules: RuleSet } | { ok: false; problems: RuleProblem[] };
