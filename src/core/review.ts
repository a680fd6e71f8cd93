import { formatDuration } from './duration.ts';
import type { Incident } from './incident.ts';
import { impactStart, keyNumbers, type SlaOutcomeState, slaPerCustomer } from './incident-numbers.ts';
import type { SlaSettings } from './sla.ts';
import type { TimelineEntry } from './timeline.ts';
import { burstLabel, groupTimeline, rowFirst, rowLast, type TimelineRow } from './timeline-groups.ts';
import { type DisplayNames, describeEvent, STATUS_LABELS } from './timeline-text.ts';

/**
 * A post-incident review draft in Markdown: what happened, to whom, how fast we reacted, the timeline,
 * and empty sections for the people writing the review. Pure: the same input gives the same bytes (times
 * in UTC), so it is tested against a golden file.
 */
export interface ReviewInput {
  incident: Incident;
  /** Every event of the incident, oldest first. */
  events: readonly TimelineEntry[];
  names: DisplayNames;
  sla: SlaSettings;
  now: Date;
}

/** Escapes Markdown (and inline HTML) in text from alerts and people; newlines become spaces. */
function mdText(text: string): string {
  return text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\\`*_[\]<>|~&#!]/g, (ch) => `\\${ch}`)
    .trim();
}

const pad = (n: number) => String(n).padStart(2, '0');

function utc(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

const duration = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const OUTCOME_TEXT: Record<SlaOutcomeState, string> = {
  met: 'met',
  missed: '**missed**',
  pending: 'pending',
  not_needed: 'not needed',
};

/** What every section reads: the input plus the impact window and display names worked out once. */
interface ReviewContext extends ReviewInput {
  start: Date;
  end: Date | null;
  customers: string[];
  components: string[];
}

function summarySection(ctx: ReviewContext): string[] {
  const { incident: i, start, end, now, customers, components } = ctx;
  const origin = i.rule ? `rule \`${mdText(i.rule)}\`` : 'declared by hand';
  const who = customers.length ? plural(customers.length, 'customer') : 'no named customer';
  const what = components.length ? plural(components.length, 'component') : 'no status page component';
  const span = end
    ? `resolved after ${formatDuration(end.getTime() - start.getTime())} of impact.`
    : `ongoing for ${formatDuration(now.getTime() - start.getTime())}.`;
  return [
    '## Summary',
    '',
    '| | |',
    '| --- | --- |',
    `| Incident | \`${mdText(i.id)}\` |`,
    `| Severity | ${i.severity} |`,
    `| State | ${i.state} (public status: ${STATUS_LABELS[i.status] ?? i.status}${i.published ? '' : ', not published'}) |`,
    `| Opened | ${utc(i.openedAt)} (${origin}) |`,
    `| Resolved | ${end ? utc(end) : 'not yet'} |`,
    `| Owner | ${i.owner ? mdText(i.owner) : 'none'} |`,
    '',
    `${mdText(i.title)}: a ${i.severity} incident affecting ${who} and ${what}, ${span}`,
    '',
  ];
}

function impactSection(ctx: ReviewContext): string[] {
  const { incident: i, start, end, now, customers, components } = ctx;
  const status = i.componentStatus ? ` (${i.componentStatus.replaceAll('_', ' ')})` : '';
  const from = start < i.openedAt ? 'first alert' : 'opened';
  const flaps = i.flapCount ? `, reopened ${plural(i.flapCount, 'time')} by flapping alerts` : '';
  return [
    '## Impact',
    '',
    `- **Customers (${customers.length})**: ${customers.length ? customers.map(mdText).join(', ') : 'none named'}`,
    `- **Components (${components.length})**: ${components.length ? components.map(mdText).join(', ') + status : 'none'}`,
    `- **Duration**: ${formatDuration((end ?? now).getTime() - start.getTime())}, from ${utc(start)} (${from}) to ${end ? utc(end) : 'now (ongoing)'}`,
    `- **Alerts**: ${i.alertCount}${flaps}`,
    '',
  ];
}

function keyNumbersSection(ctx: ReviewContext): string[] {
  return [
    '## Key numbers',
    '',
    '| Measure | Time | At |',
    '| --- | --- | --- |',
    ...keyNumbers(ctx.incident, ctx.events).map(
      (k) => `| ${k.label} | ${duration(k.ms)} | ${k.at ? utc(k.at) : '—'} |`,
    ),
    '',
    'Detect counts from the first alert to the opening; the others from the opening.',
    '',
  ];
}

type SlaTargetOutcome = ReturnType<typeof slaPerCustomer>[number]['targets'][number];

function slaCell(t: SlaTargetOutcome): string {
  if (t.target === 'update') {
    return `${OUTCOME_TEXT[t.state]} (longest wait ${formatDuration(t.actualMs ?? 0)}, promised every ${formatDuration(t.promisedMs)})`;
  }
  const actual = t.actualMs === null ? '' : `${formatDuration(t.actualMs)} of `;
  return `${OUTCOME_TEXT[t.state]} (${actual}${formatDuration(t.promisedMs)})`;
}

function slaSection(ctx: ReviewContext): string[] {
  const { incident: i, names } = ctx;
  const rows = slaPerCustomer(ctx.sla, i, ctx.events, ctx.now).map((c) => {
    const name = c.customer === null ? '(none: default tier)' : mdText(names.customer(c.customer));
    if (c.targets.length === 0) return `| ${name} | ${mdText(c.tier)} | no policy for ${i.severity} | | | |`;
    return `| ${name} | ${mdText(c.tier)} | ${c.targets.map(slaCell).join(' | ')} |`;
  });
  return [
    '### SLA per customer',
    '',
    '| Customer | Tier | Acknowledge | Owner | Updates | Resolve |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ];
}

function timelineLine(ctx: ReviewContext, row: TimelineRow): string {
  const first = rowFirst(row);
  const offset = `T+${formatDuration(first.at.getTime() - ctx.incident.openedAt.getTime())}`;
  if (row.type === 'burst') {
    const last = rowLast(row);
    const until = last.at.getTime() === first.at.getTime() ? '' : ` (until ${utc(last.at).slice(11)})`;
    return `- ${utc(first.at)} (${offset}): **${burstLabel(row.counts)}**${until}`;
  }
  const text = describeEvent(row.event, ctx.names, utc);
  const detail = text.detail ? `: ${mdText(text.detail)}` : '';
  const visibility = row.event.visibility === 'public' ? ' *(public)*' : '';
  return `- ${utc(first.at)} (${offset}): **${mdText(text.title)}**${detail}${visibility}`;
}

function timelineSection(ctx: ReviewContext): string[] {
  return ['## Timeline', '', ...groupTimeline(ctx.events).map((row) => timelineLine(ctx, row)), ''];
}

/** The sections the people writing the review fill in. */
function blankSections(): string[] {
  const out: string[] = [];
  for (const section of ['Root cause', 'What went well', 'What to improve']) {
    out.push(`## ${section}`, '', '_To be written._', '');
  }
  out.push(
    '## Action items',
    '',
    '| Action | Owner | Due | Ticket |',
    '| --- | --- | --- | --- |',
    '| | | | |',
  );
  return out;
}

export function renderReview(input: ReviewInput): string {
  const { incident: i, events, names, now } = input;
  const ctx: ReviewContext = {
    ...input,
    start: impactStart(i, events),
    end: i.state === 'resolved' && i.resolvedAt ? i.resolvedAt : null,
    customers: i.customers.map((c) => names.customer(c)),
    components: i.components.map((c) => names.component(c)),
  };
  const out = [
    `# Post-incident review: ${mdText(i.title)}`,
    '',
    `> Draft generated by incidentd at ${utc(now)} from the incident timeline. All times are UTC.`,
    '',
    ...summarySection(ctx),
    ...impactSection(ctx),
    ...keyNumbersSection(ctx),
    ...slaSection(ctx),
    ...timelineSection(ctx),
    ...blankSections(),
  ];
  return `${out.join('\n')}\n`;
}
