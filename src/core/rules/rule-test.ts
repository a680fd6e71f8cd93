import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { NormalizedAlert } from '../alert.ts';
import { type CandidateGroup, isCandidateExpired } from '../candidate.ts';
import { type CorrelateChange, correlate } from '../correlate.ts';
import { parseDuration } from '../duration.ts';
import type { Incident } from '../incident.ts';
import { SEVERITIES } from '../severity.ts';
import { autoResolve, autoResolveDue } from './auto-resolve.ts';
import { matchAlert } from './match.ts';
import { BAD_DURATION } from './schema.ts';
import type { RuleProblem, RuleSet } from './types.ts';
import { issueProblems, sortProblems } from './zod-problems.ts';

/** Rule unit tests, like `promtool test rules`: alerts in at simulated times, incidents out. */
const offset = z
  .union([z.string(), z.number()])
  .refine((v) => parseDuration(v) !== null, { message: BAD_DURATION });

const testAlertSchema = z.strictObject({
  at: offset,
  source: z.string().default('alertmanager'),
  status: z.enum(['firing', 'resolved']).default('firing'),
  /** Defaults to the labels, the way Alertmanager derives it. */
  fingerprint: z.string().optional(),
  title: z.string().optional(),
  labels: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)),
  annotations: z.record(z.string(), z.string()).default({}),
});

const expectedIncidentSchema = z.strictObject({
  title: z.string().optional(),
  severity: z.enum(SEVERITIES).optional(),
  customers: z.array(z.string()).optional(),
  state: z.enum(['open', 'acknowledged', 'resolved']).optional(),
  rule: z.string().optional(),
  alert_count: z.number().int().optional(),
  published: z.boolean().optional(),
  flap_count: z.number().int().optional(),
});

const testCaseSchema = z.strictObject({
  name: z.string().min(1),
  /** When to look at the incidents (default: the last alert's time); later lets auto-resolve happen. */
  eval_at: offset.optional(),
  alerts: z.array(testAlertSchema),
  expect: z.array(expectedIncidentSchema),
});

export const ruleTestFileSchema = z.strictObject({
  rule_files: z.array(z.string()).min(1),
  tests: z.array(testCaseSchema).min(1),
});

export type RuleTestFile = z.output<typeof ruleTestFileSchema>;
export type RuleTestCase = RuleTestFile['tests'][number];
export type ExpectedIncident = z.output<typeof expectedIncidentSchema>;

export interface RuleTestResult {
  name: string;
  passed: boolean;
  /** Human-readable differences, one per line; empty when passed. */
  diff: string[];
  /** The incidents at eval time, in the order they opened. */
  incidents: Incident[];
}

/** Decodes and validates a test file; `rule_files` stay relative to it (the caller resolves and reads them). */
export function parseRuleTestFile(
  file: string,
  text: string,
): { ok: true; doc: RuleTestFile } | { ok: false; problems: RuleProblem[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file,
        line: lc.linePos(e.pos[0]).line,
        message: `YAML: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const parsed = ruleTestFileSchema.safeParse(doc.toJS());
  if (parsed.success) return { ok: true, doc: parsed.data };
  return {
    ok: false,
    problems: sortProblems(parsed.error.issues.flatMap((issue) => issueProblems(issue, doc, lc, file))),
  };
}

/** Simulated time starts here; `at: 5m` is five minutes later. */
export const RULE_TEST_EPOCH = new Date('2026-01-01T00:00:00Z');

const at = (offsetText: string | number) => new Date(RULE_TEST_EPOCH.getTime() + parseDuration(offsetText)!);

export function runRuleTests(doc: RuleTestFile, rules: RuleSet): RuleTestResult[] {
  return doc.tests.map((test) => runOne(test, rules));
}

function fingerprintOf(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

type TestAlert = z.infer<typeof testAlertSchema>;
type AlertState = { id: string; status: 'firing' | 'resolved'; startsAt: Date };

/** The in-memory stand-in for the alert, incident and candidate tables. */
interface ReplayState {
  alerts: Map<string, AlertState>;
  incidents: Map<string, Incident>;
  latestOfGroup: Map<string, string>;
  candidates: Map<string, CandidateGroup>;
  attachments: Map<string, Set<string>>;
  nextId: number;
}

/** Time passing: candidates expire and incidents auto-resolve. */
function tick(state: ReplayState, now: Date) {
  for (const [key, c] of state.candidates) if (isCandidateExpired(c, now)) state.candidates.delete(key);
  for (const [id, inc] of state.incidents)
    if (autoResolveDue(inc, now)) state.incidents.set(id, autoResolve(inc, now).incident);
}

function changeOf(prev: AlertState | undefined, status: AlertState['status']): CorrelateChange {
  if (!prev) return 'new';
  if (prev.status === status) return 'repeat';
  return status === 'firing' ? 'refiring' : 'resolved';
}

function normalize(a: TestAlert, fingerprint: string, startsAt: Date, now: Date): NormalizedAlert {
  return {
    source: a.source,
    fingerprint,
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    title: a.title ?? a.labels.alertname ?? '',
    startsAt,
    endsAt: a.status === 'resolved' ? now : null,
    generatorUrl: null,
    raw: a,
  };
}

/** One alert in: dedup by (source, fingerprint), match, correlate and store the outcome. */
function replayAlert(state: ReplayState, rules: RuleSet, a: TestAlert, now: Date) {
  const fingerprint = a.fingerprint ?? fingerprintOf(a.labels);
  const key = `${a.source}\u0000${fingerprint}`;
  const prev = state.alerts.get(key);
  const change = changeOf(prev, a.status);
  const id = prev?.id ?? `alert-${state.alerts.size + 1}`;
  const startsAt = a.status === 'firing' && change !== 'repeat' ? now : (prev?.startsAt ?? now);
  state.alerts.set(key, { id, status: a.status, startsAt });
  const m = matchAlert(rules, normalize(a, fingerprint, startsAt, now));
  if (!m) return;
  const groupId = `${m.rule.name}\u0000${m.groupKey}`;
  const incidentId = state.latestOfGroup.get(groupId);
  const incident = incidentId ? (state.incidents.get(incidentId) ?? null) : null;
  const outcome = correlate({
    now,
    rule: m.rule,
    groupKey: m.groupKey,
    groupLabels: m.groupLabels,
    customer: m.customer,
    alert: { id, fingerprint, status: a.status, startsAt, labels: a.labels },
    change,
    incident,
    attached: incident ? (state.attachments.get(incident.id)?.has(id) ?? false) : false,
    candidate: state.candidates.get(groupId) ?? null,
    newId: () => `incident-${state.nextId++}`,
  });
  if (outcome.kind === 'candidate') state.candidates.set(groupId, outcome.candidate);
  if (outcome.kind !== 'incident') return;
  const inc = outcome.incident;
  state.incidents.set(inc.id, inc);
  state.latestOfGroup.set(groupId, inc.id);
  const set = state.attachments.get(inc.id) ?? new Set<string>();
  for (const alertId of outcome.attach) set.add(alertId);
  state.attachments.set(inc.id, set);
  if (outcome.candidateConsumed) state.candidates.delete(groupId);
}

/** Replays alerts through matchAlert, dedup by (source, fingerprint) and correlate, with in-memory state. */
function runOne(test: RuleTestCase, rules: RuleSet): RuleTestResult {
  const state: ReplayState = {
    alerts: new Map(),
    incidents: new Map(),
    latestOfGroup: new Map(),
    candidates: new Map(),
    attachments: new Map(),
    nextId: 1,
  };
  // Stable sort: alerts at the same time keep file order.
  const ordered = test.alerts.map((a, i) => ({ a, i, t: at(a.at) })).sort((x, y) => +x.t - +y.t || x.i - y.i);
  let last = RULE_TEST_EPOCH;
  for (const { a, t: now } of ordered) {
    tick(state, now);
    last = now;
    replayAlert(state, rules, a, now);
  }
  const evalAt = test.eval_at === undefined ? last : at(test.eval_at);
  tick(state, new Date(Math.max(evalAt.getTime(), last.getTime())));

  const got = [...state.incidents.values()];
  const diff = compare(test.expect, got);
  return { name: test.name, passed: diff.length === 0, diff, incidents: got };
}

const show = (v: unknown) => (Array.isArray(v) ? `[${v.join(', ')}]` : JSON.stringify(v));

function describe(inc: Incident): string {
  return `"${inc.title}" (${inc.severity}, ${inc.state}, customers ${show(inc.customers)})`;
}

function compare(expected: ExpectedIncident[], got: Incident[]): string[] {
  const diff: string[] = [];
  if (expected.length !== got.length) diff.push(`expected ${expected.length} incident(s), got ${got.length}`);
  expected.forEach((exp, i) => {
    const inc = got[i];
    if (!inc) {
      diff.push(`incident ${i + 1}: missing (expected ${show(exp)})`);
      return;
    }
    const actual: Record<keyof ExpectedIncident, unknown> = {
      title: inc.title,
      severity: inc.severity,
      customers: [...inc.customers].sort(),
      state: inc.state,
      rule: inc.rule,
      alert_count: inc.alertCount,
      published: inc.published,
      flap_count: inc.flapCount,
    };
    for (const field of Object.keys(exp) as (keyof ExpectedIncident)[]) {
      const want = field === 'customers' ? [...(exp.customers ?? [])].sort() : exp[field];
      if (JSON.stringify(want) !== JSON.stringify(actual[field])) {
        diff.push(`incident ${i + 1} ${field}: expected ${show(want)}, got ${show(actual[field])}`);
      }
    }
  });
  for (const extra of got.slice(expected.length)) diff.push(`unexpected incident: ${describe(extra)}`);
  return diff;
}

/** `PASS name` or `FAIL name` followed by the indented diff, for `incidentd rules test`. */
export function formatRuleTestResult(file: string, r: RuleTestResult): string {
  if (r.passed) return `PASS ${file}: ${r.name}`;
  return [`FAIL ${file}: ${r.name}`, ...r.diff.map((d) => `  ${d}`)].join('\n');
}
