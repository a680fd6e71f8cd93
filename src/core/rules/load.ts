import { isScalar, LineCounter, parseDocument } from 'yaml';
import type { ComponentStatus } from '../component-status.ts';
import { parseDuration } from '../duration.ts';
import { isSeverity } from '../severity.ts';
import { compileCel } from './cel.ts';
import { checkRuleFields, type RuleInput, ruleFileSchema } from './schema.ts';
import { templatePlaceholders } from './template.ts';
import type { CompiledExpr, LoadRuleSetResult, Rule, RuleProblem, RuleSeverity } from './types.ts';
import { nodeAt, positionOf, valueOffsetToFileOffset } from './yaml-position.ts';
import { issueProblems, pathText, sortProblems } from './zod-problems.ts';

export interface LoadRuleSetOptions {
  /** Catalog component ids; a rule naming another id is a problem. */
  componentIds: ReadonlySet<string>;
}

export interface RuleFileText {
  path: string;
  text: string;
}

/** `FILE:LINE: message` or `FILE:LINE:COLUMN: message`, as `incidentd rules check` prints it. */
export function formatProblem(p: RuleProblem): string {
  return p.column === undefined
    ? `${p.file}:${p.line}: ${p.message}`
    : `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

type At = (key: string, ...rest: PropertyKey[]) => PropertyKey[];
type Finding = { path: PropertyKey[]; message: string };

/** A constant severity as is; anything else is a CEL expression over the group (null when it does not compile). */
function ruleSeverity(
  value: string | undefined,
  compile: (source: string) => CompiledExpr | null,
): RuleSeverity | null {
  if (value === undefined) return null;
  if (isSeverity(value)) return { kind: 'constant', value };
  const expr = compile(value);
  return expr ? { kind: 'cel', expr } : null;
}

/**
 * Checks that need the catalog or several fields: unknown components, template placeholders, and
 * publish: auto without a public_message.
 */
function crossFieldProblems(
  r: Partial<RuleInput>,
  failed: ReadonlySet<string>,
  componentIds: ReadonlySet<string>,
  at: At,
): Finding[] {
  const out: Finding[] = [];
  r.components?.forEach((id, j) => {
    if (!componentIds.has(id))
      out.push({ path: at('components', j), message: `unknown component "${id}" (not in the catalog)` });
  });
  // Placeholders are limited to what every alert of the group shares, so titles are stable.
  const allowed = new Set([...(r.group_by ?? []), 'alertname']);
  for (const key of ['title', 'public_message'] as const) {
    const unknown = templatePlaceholders(r[key] ?? '').filter((name) => !allowed.has(name));
    for (const name of unknown) {
      const message = `${pathText(at(key))}: unknown placeholder {{ ${name} }} (use group_by labels or alertname)`;
      out.push({ path: at(key), message });
    }
  }
  if (r.publish === 'auto' && r.public_message === undefined && !failed.has('public_message'))
    out.push({
      path: at('publish'),
      message: `${pathText(at('publish'))}: publish: auto needs a public_message`,
    });
  return out;
}

function toRule(
  valid: RuleInput,
  file: string,
  line: number,
  compiled: Pick<Rule, 'match' | 'severity' | 'openWhen'>,
): Rule {
  return {
    name: valid.name,
    file,
    line,
    match: compiled.match,
    groupBy: valid.group_by,
    customerLabel: valid.customer_label,
    windowMs: parseDuration(valid.window)!,
    severity: compiled.severity,
    components: valid.components,
    componentStatus: valid.component_status as ComponentStatus,
    title: valid.title ?? '{{ alertname }}',
    resolveAfterMs: parseDuration(valid.resolve_after)!,
    openWhen: compiled.openWhen,
    publish: valid.publish,
    publicMessage: valid.public_message ?? null,
  };
}

/**
 * Validates every file before returning anything, so a reload either swaps in a whole good set or
 * reports all problems at once. Pure: the caller reads the files.
 */
export function loadRuleSet(files: readonly RuleFileText[], opts: LoadRuleSetOptions): LoadRuleSetResult {
  const problems: RuleProblem[] = [];
  const rules: Rule[] = [];
  const firstByName = new Map<string, { file: string; line: number }>();
  // Name order, so the first-match-wins order does not depend on how the directory was listed.
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  for (const { path: file, text } of sorted) {
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const pos = lc.linePos(err.pos[0]);
        problems.push({
          file,
          line: pos.line,
          column: pos.col,
          message: `YAML: ${err.message.split('\n')[0]}`,
        });
      }
      continue;
    }
    if (doc.contents === null) continue; // an empty file holds no rules
    const add = (path: readonly PropertyKey[], message: string, column = true) => {
      const pos = positionOf(nodeAt(doc, path), lc);
      problems.push(
        column && pos.column !== undefined
          ? { file, line: pos.line, column: pos.column, message }
          : { file, line: pos.line, message },
      );
    };

    const parsed = ruleFileSchema.safeParse(doc.toJS());
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(...issueProblems(issue, doc, lc, file));
      continue;
    }

    // Each rule field by field, so one problem never hides another: every field's problems are reported,
    // and the checks below run on every field that is valid (a duplicate name of an invalid rule included).
    parsed.data.rules.forEach((raw, i) => {
      const at = (key: string, ...rest: PropertyKey[]): PropertyKey[] => ['rules', i, key, ...rest];
      const nameLine = positionOf(nodeAt(doc, at('name')), lc).line;
      const checked = checkRuleFields(raw, ['rules', i]);
      for (const issue of checked.issues) problems.push(...issueProblems(issue, doc, lc, file));
      const r = checked.fields;
      let ok = checked.issues.length === 0;
      const fail = (path: readonly PropertyKey[], message: string) => {
        ok = false;
        add(path, message);
      };

      if (r.name !== undefined) {
        const first = firstByName.get(r.name);
        if (first)
          fail(at('name'), `duplicate rule name "${r.name}" (first defined at ${first.file}:${first.line})`);
        else firstByName.set(r.name, { file, line: nameLine });
      }

      const compile = (key: string, source: string, scope: 'alert' | 'group', expect: 'bool' | 'string') => {
        const result = compileCel(source, scope, expect);
        if (result.ok) return { source, program: result.program } satisfies CompiledExpr;
        ok = false;
        const node = nodeAt(doc, at(key));
        const fileOffset =
          result.offset !== undefined && isScalar(node)
            ? valueOffsetToFileOffset(node, text, result.offset)
            : null;
        const message = `${pathText(at(key))}: ${result.message}`;
        // Without a usable offset point at the expression itself; with an unmappable one, at its line only.
        if (fileOffset === null) add(at(key), message, result.offset === undefined);
        else {
          const p = lc.linePos(fileOffset);
          problems.push({ file, line: p.line, column: p.col, message });
        }
        return null;
      };

      const match = r.match === undefined ? null : compile('match', r.match, 'alert', 'bool');
      const severity = ruleSeverity(r.severity, (source) => compile('severity', source, 'group', 'string'));
      const openWhen = r.open_when === undefined ? null : compile('open_when', r.open_when, 'group', 'bool');

      for (const f of crossFieldProblems(r, checked.failed, opts.componentIds, at)) fail(f.path, f.message);

      if (!ok || !match || !severity || (r.open_when !== undefined && !openWhen)) return;
      rules.push(toRule(r as RuleInput, file, nameLine, { match, severity, openWhen }));
    });
  }

  if (problems.length > 0) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, rules: { rules, byName: new Map(rules.map((r) => [r.name, r])) } };
}
