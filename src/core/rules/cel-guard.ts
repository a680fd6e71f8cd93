import { RE2JS } from 're2js';

/**
 * Two guards cel-js does not have, installed on a checked expression's syntax tree:
 *
 * - `matches` with RE2 semantics (what the CEL spec prescribes): cel-js runs `new RegExp(p).test(s)`, a
 *   backtracking engine, so `^([a-z0-9]+-?)+$` against 32 characters held the process for 17 s. Here patterns
 *   run on re2js, linear in the input; a literal pattern RE2 cannot compile (backreferences, lookaround) is a
 *   load-time error; a pattern computed at run time that does not compile is an evaluation error (no match).
 * - An evaluation budget: every step of a comprehension (`all`, `exists`, `exists_one`, `map`, `filter`) and
 *   every element of a range it iterates costs one unit. Nested `labels.all` over 3,000 labels is 9 million
 *   steps (2.3 s); past the budget the evaluation stops with CelBudgetExceeded.
 *
 * cel-js 8 offers no way to replace a built-in overload (registering `string.matches(string)` again is an
 * overlap error) nor an evaluation hook, so this uses the tree's `setMeta('evaluate', …)`, the same mechanism
 * cel-js itself uses to specialise nodes after type checking. cel-guard.test.ts pins that behaviour.
 */

/** Comprehension steps (and iterated elements) one evaluation may cost: ten passes over 1,000 labels. */
export const CEL_EVAL_BUDGET = 20_000;

export class CelBudgetExceeded extends Error {
  constructor() {
    super(`CEL evaluation budget of ${CEL_EVAL_BUDGET} steps exceeded`);
    this.name = 'CelBudgetExceeded';
  }
}

let remaining = Number.POSITIVE_INFINITY;

/** Runs `fn` with a fresh budget; true in `exceeded` when it ran out (whatever `fn` returned or threw). */
export function withBudget<T>(
  fn: () => T,
  budget = CEL_EVAL_BUDGET,
): { value?: T; error?: unknown; exceeded: boolean } {
  const outer = remaining;
  remaining = budget;
  try {
    const value = fn();
    return remaining < 0 ? { exceeded: true } : { value, exceeded: false };
  } catch (error) {
    return remaining < 0 || error instanceof CelBudgetExceeded
      ? { exceeded: true }
      : { error, exceeded: false };
  } finally {
    remaining = outer;
  }
}

function charge(units: number): void {
  remaining -= units;
  if (remaining < 0) throw new CelBudgetExceeded();
}

/** The parts of a cel-js syntax tree node used here (see cel-js lib/parser.js, ASTNode). */
interface Node {
  op: string;
  args: unknown;
  start: number;
  meta: { evaluate: Evaluate; alternate?: Node; macro?: Record<string, unknown> };
  setMeta(key: 'evaluate', value: Evaluate): Node;
}
type Evaluate = (ev: Evaluator, ast: Node, ctx: unknown) => unknown;
interface Evaluator {
  run(ast: Node, ctx: unknown): unknown;
  createError?(code: string, message: string, node: Node): Error;
}

function isNode(x: unknown): x is Node {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as Node).op === 'string' &&
    typeof (x as Node).setMeta === 'function' &&
    typeof (x as Node).meta === 'object'
  );
}

/** Every node of the tree, macro expansions included, each once. */
function nodesOf(root: Node): Node[] {
  const seen = new Set<Node>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const x = stack.pop();
    if (isNode(x)) {
      if (seen.has(x)) continue;
      seen.add(x);
      stack.push(x.args, x.meta.alternate, x.meta.macro);
    } else if (Array.isArray(x)) stack.push(...x);
    else if (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
      stack.push(...Object.values(x));
    }
  }
  return [...seen];
}

export type GuardResult = { ok: true } | { ok: false; message: string; offset: number };

/** Compiled patterns of run-time `matches` calls; bounded, oldest dropped first. */
const dynamicPatterns = new Map<string, RE2JS>();
const MAX_DYNAMIC_PATTERNS = 256;

function compileDynamic(pattern: string): RE2JS {
  let re = dynamicPatterns.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    if (dynamicPatterns.size >= MAX_DYNAMIC_PATTERNS) {
      dynamicPatterns.delete(dynamicPatterns.keys().next().value as string);
    }
    dynamicPatterns.set(pattern, re);
  }
  return re;
}

function patternError(pattern: string, error: unknown): string {
  const why = (error as Error).message.replace(/^error parsing regexp: /, '');
  return `matches: pattern ${JSON.stringify(pattern)} is not RE2 syntax (${why}); backreferences and lookaround are not supported`;
}

/** Installs RE2 `matches` and the budget on a type-checked expression; a literal pattern RE2 refuses is an error. */
export function guardCel(root: Node): GuardResult {
  for (const node of nodesOf(root)) {
    if (node.op === 'rcall') {
      const [name, receiver, args] = node.args as [string, Node, Node[]];
      if (name !== 'matches' || args.length !== 1) continue;
      const patternNode = args[0]!;
      let fixed: RE2JS | null = null;
      if (patternNode.op === 'value' && typeof patternNode.args === 'string') {
        try {
          fixed = RE2JS.compile(patternNode.args);
        } catch (error) {
          return { ok: false, message: patternError(patternNode.args, error), offset: patternNode.start };
        }
      }
      node.setMeta('evaluate', (ev, _ast, ctx) => {
        const subject = ev.run(receiver, ctx);
        const pattern = fixed ? null : ev.run(patternNode, ctx);
        if (typeof subject !== 'string' || (!fixed && typeof pattern !== 'string')) {
          throw new Error('matches: expects string.matches(string)');
        }
        let re = fixed;
        if (!re) {
          try {
            re = compileDynamic(pattern as string);
          } catch (error) {
            throw new Error(patternError(pattern as string, error));
          }
        }
        charge(1);
        return re.test(subject);
      });
    } else if (node.op === 'comprehension') {
      const { iterable, step } = node.args as { iterable: Node; step: Node };
      const iterate = iterable.meta.evaluate;
      iterable.setMeta('evaluate', (ev, ast, ctx) => {
        const range = iterate(ev, ast, ctx);
        charge(sizeOf(range));
        return range;
      });
      const run = step.meta.evaluate;
      step.setMeta('evaluate', (ev, ast, ctx) => {
        charge(1);
        return run(ev, ast, ctx);
      });
    }
  }
  return { ok: true };
}

function sizeOf(range: unknown): number {
  if (Array.isArray(range)) return range.length;
  if (range instanceof Map || range instanceof Set) return range.size;
  if (range && typeof range === 'object') {
    let n = 0;
    for (const _ in range) n++;
    return n;
  }
  return 1;
}
