import type { NormalizedAlert } from '../alert.ts';
import { evaluateCel } from './cel.ts';
import type { Rule, RuleSet } from './types.ts';

export interface RuleMatch {
  rule: Rule;
  /** `label=value` pairs in group_by order, values URI-encoded so "," and "=" stay unambiguous. */
  groupKey: string;
  groupLabels: Record<string, string>;
  /** Value of the rule's customer_label; null when absent or empty. */
  customer: string | null;
}

/**
 * A group_by label the alert lacks counts as the empty string, so such alerts still group together
 * (one incident for "region unknown") instead of being dropped or each opening their own.
 */
export function groupLabelsOf(rule: Rule, labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of rule.groupBy) out[name] = labels[name] ?? '';
  return out;
}

export function groupKeyOf(rule: Rule, groupLabels: Record<string, string>): string {
  return rule.groupBy.map((name) => `${name}=${encodeURIComponent(groupLabels[name] ?? '')}`).join(',');
}

/**
 * First matching rule wins; a `match` that fails to evaluate (e.g. a missing label) does not match, nor does
 * one that runs out of its evaluation budget, which `onBudgetExceeded` hears of (to count and log it).
 */
export function matchAlert(
  rules: RuleSet,
  alert: NormalizedAlert,
  onBudgetExceeded?: (rule: Rule) => void,
): RuleMatch | null {
  const scope = {
    labels: alert.labels,
    annotations: alert.annotations,
    source: alert.source,
    status: alert.status,
    title: alert.title,
  };
  for (const rule of rules.rules) {
    const result = evaluateCel(rule.match.program, scope);
    if (result.exceeded) onBudgetExceeded?.(rule);
    if (result.value !== true) continue;
    const groupLabels = groupLabelsOf(rule, alert.labels);
    const customer = alert.labels[rule.customerLabel];
    return {
      rule,
      groupKey: groupKeyOf(rule, groupLabels),
      groupLabels,
      customer: customer ? customer : null,
    };
  }
  return null;
}
