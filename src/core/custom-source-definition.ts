import { z } from 'zod';
import { type CelProgram, type CelScope, compileCel } from './rules/cel.ts';

/** One compiled CEL field of a custom source, with its text for messages. */
export interface CustomExpression {
  text: string;
  program: CelProgram;
}

/** A catalog `sources:` entry, its expressions compiled once at load. */
export interface CustomSourceDef {
  name: string;
  /** The list of alerts in a body (each seen as `item`); null: the body is one alert. */
  items: CustomExpression | null;
  /** null: a stable hash of the labels. */
  fingerprint: CustomExpression | null;
  /** null: every alert is firing. */
  status: CustomExpression | null;
  /** null: the `alertname` label, else the source name. */
  title: CustomExpression | null;
  labels: Readonly<Record<string, CustomExpression>>;
  annotations: Readonly<Record<string, CustomExpression>>;
}

const expression = z.string().trim().min(1, 'a CEL expression is required');

const rawSource = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'names are lowercase letters, digits, - and _ (used in the URL)'),
  items: expression.optional(),
  fingerprint: expression.optional(),
  status: expression.optional(),
  title: expression.optional(),
  labels: z.record(z.string().min(1), expression).default({}),
  annotations: z.record(z.string().min(1), expression).default({}),
});

/** A catalog entry → compiled definition; every expression that does not compile is an issue at its path. */
const customSource = rawSource.transform((raw, ctx): CustomSourceDef => {
  const scope: CelScope = raw.items === undefined ? 'body' : 'item';
  const compile = (path: string[], text: string | undefined, at: CelScope = scope) => {
    if (text === undefined) return null;
    const result = compileCel(text, at, 'any');
    if (result.ok) return { text, program: result.program };
    const column = result.offset === undefined ? '' : ` (column ${result.offset + 1})`;
    ctx.addIssue({ code: 'custom', path, message: `${result.message}${column}`, input: text });
    return null;
  };
  const compileAll = (key: 'labels' | 'annotations') => {
    const out: Record<string, CustomExpression> = {};
    for (const [name, text] of Object.entries(raw[key])) {
      const compiled = compile([key, name], text);
      if (compiled) out[name] = compiled;
    }
    return out;
  };
  return {
    name: raw.name,
    items: compile(['items'], raw.items, 'body'),
    fingerprint: compile(['fingerprint'], raw.fingerprint),
    status: compile(['status'], raw.status),
    title: compile(['title'], raw.title),
    labels: compileAll('labels'),
    annotations: compileAll('annotations'),
  };
});

/** The catalog's `sources:` key: named generic webhook sources, reachable at `/webhooks/custom/:name`. */
export const customSourcesSchema = z
  .array(customSource)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      if (seen.has(s.name)) {
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate source name "${s.name}"` });
      }
      seen.add(s.name);
    });
  })
  .default([]);
