import { isSeverity, type Severity } from '../severity.ts';
import { type GroupScope, runCel } from './cel.ts';
import type { Rule } from './types.ts';

/** Used when a severity expression yields something other than SEV1..SEV4 at run time. */
export const FALLBACK_SEVERITY: Severity = 'SEV3';

export function ruleSeverity(rule: Rule, scope: GroupScope): Severity {
  if (rule.severity.kind === 'constant') return rule.severity.value;
  const value = runCel(rule.severity.expr.program, scope);
  return isSeverity(value) ? value : FALLBACK_SEVERITY;
}

/** Without open_when a group opens at its first alert; an expression that fails to evaluate means "not yet". */
export function openWhenHolds(rule: Rule, scope: GroupScope): boolean {
  return rule.openWhen === null || runCel(rule.openWhen.program, scope) === true;
}
