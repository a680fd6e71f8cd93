import type { Document, LineCounter } from 'yaml';
import type { z } from 'zod';
import { BAD_DURATION } from './schema.ts';
import type { RuleProblem } from './types.ts';
import { keyNodeAt, nodeAt, positionOf } from './yaml-position.ts';

/** `rules[2].window`, the way users find the spot in their file. */
export function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out;
}

/** Turns one zod issue on a decoded YAML document into positioned problems, worded for operators. */
export function issueProblems(
  issue: z.core.$ZodIssue,
  doc: Document,
  lc: LineCounter,
  file: string,
): RuleProblem[] {
  const path = issue.path;
  const at = (node: Parameters<typeof positionOf>[0], message: string): RuleProblem => {
    const pos = positionOf(node, lc);
    return pos.column === undefined ? { file, line: pos.line, message } : { file, ...pos, message };
  };
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => at(keyNodeAt(doc, path, key), `${pathText([...path, key])}: unknown key`));
  }
  const value = path.length === 0 ? doc.toJS() : doc.getIn(path);
  let message: string;
  if (issue.message === BAD_DURATION)
    message = `bad duration ${JSON.stringify(value)} (write e.g. 90s, 5m, 1h30m, or 0)`;
  else if (value === undefined && issue.code === 'invalid_type') message = 'missing required key';
  else if (issue.code === 'invalid_value' && 'values' in issue)
    message = `expected one of ${issue.values.map(String).join(', ')}, got ${JSON.stringify(value)}`;
  else message = issue.message;
  return [at(nodeAt(doc, path), `${pathText(path)}: ${message}`)];
}

/** Problems in reading order: by file as given, then line and column. */
export function sortProblems(problems: RuleProblem[]): RuleProblem[] {
  const fileOrder = new Map<string, number>();
  for (const p of problems) if (!fileOrder.has(p.file)) fileOrder.set(p.file, fileOrder.size);
  return [...problems].sort(
    (a, b) =>
      fileOrder.get(a.file)! - fileOrder.get(b.file)! || a.line - b.line || (a.column ?? 0) - (b.column ?? 0),
  );
}
