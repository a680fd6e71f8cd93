import type { z } from 'zod';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `['alerts', 3, 'labels']` → `alerts[3].labels`; the empty path is `body`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const name = String(segment);
      if (IDENTIFIER.test(name)) out += out ? `.${name}` : name;
      else out += `[${JSON.stringify(name)}]`;
    }
  }
  return out || 'body';
}

/** One zod issue as `<path>: <what was expected>`, e.g. `alerts[3].labels: expected object`. */
export function formatIssue(issue: z.core.$ZodIssue): string {
  return `${formatIssuePath(issue.path)}: ${describe(issue)}`;
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.path.length === 0 && (issue.expected === 'object' || issue.expected === 'record')) {
        return 'expected a JSON object';
      }
      return `expected ${issue.expected === 'record' ? 'object' : issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `expected ${issue.origin === 'array' ? 'at least' : '>='} ${issue.minimum}`;
    case 'too_big':
      return `expected ${issue.origin === 'array' ? 'at most' : '<='} ${issue.maximum}`;
    default:
      // Custom refinements in our schemas carry their own wording.
      return issue.message;
  }
}

/** The first issue of a failed parse, formatted (one precise message beats a list). */
export function formatError(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? formatIssue(first) : 'body: invalid';
}
