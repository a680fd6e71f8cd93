import type { ComponentStatus } from './component-status.ts';
import type { IncidentEventDraft } from './correlate.ts';
import { DomainError } from './errors.ts';
import { type Incident, newIncident, PUBLIC_STATUSES, type PublicStatus } from './incident.ts';
import { AUTO_RESOLVE_MESSAGE } from './rules/auto-resolve.ts';
import { isSeverity, type Severity } from './severity.ts';
import type { EventDataByKind, IncidentEventKind } from './timeline.ts';

/** What a responder's action does: the new incident row and the timeline events that explain it. */
export interface ActionResult {
  incident: Incident;
  events: IncidentEventDraft[];
}

export interface ActionContext {
  actor: string;
  now: Date;
}

/** A timeline event whose data is checked against its kind (core/timeline.ts). */
function event<K extends IncidentEventKind>(
  ctx: ActionContext,
  kind: K,
  data: EventDataByKind[K],
  visibility: 'public' | 'internal' = 'internal',
): IncidentEventDraft {
  return { at: ctx.now, kind, actor: ctx.actor, visibility, data: data as Record<string, unknown> };
}

function text(field: string, value: string | undefined | null, max = 10_000): string {
  const v = (value ?? '').trim();
  if (v === '') throw new DomainError('invalid', `${field}: must not be empty`);
  if (v.length > max) throw new DomainError('invalid', `${field}: at most ${max} characters`);
  return v;
}

function notResolved(incident: Incident, doing: string): void {
  if (incident.state === 'resolved') {
    throw new DomainError('conflict', `incident ${incident.id} is resolved; reopen it before you ${doing}`);
  }
}

function publicStatus(value: string): PublicStatus {
  if (!(PUBLIC_STATUSES as readonly string[]).includes(value)) {
    throw new DomainError(
      'invalid',
      `status: unknown status "${value}" (expected one of ${PUBLIC_STATUSES.join(', ')})`,
    );
  }
  return value as PublicStatus;
}

/** The public update and, the first time, the `published` event that puts the incident on the status page. */
function publicUpdate(
  incident: Incident,
  ctx: ActionContext,
  status: PublicStatus,
  message: string,
  nextUpdateDue: Date | null,
): IncidentEventDraft[] {
  const events: IncidentEventDraft[] = [];
  if (!incident.published) {
    incident.published = true;
    events.push(event(ctx, 'published', { reason: `first public update by ${ctx.actor}` }));
  }
  incident.status = status;
  incident.nextUpdateDue = nextUpdateDue;
  events.push(
    event(
      ctx,
      'update.posted',
      { status, message, next_update_due: nextUpdateDue?.toISOString() ?? null },
      'public',
    ),
  );
  return events;
}

export interface DeclareInput {
  id: string;
  title: string;
  severity: string;
  customers: string[];
  components: string[];
  componentStatus: ComponentStatus | null;
  /** First public update; the incident stays internal without one. */
  message: string | null;
  nextUpdateDue: Date | null;
}

/** Declares an incident by hand (no rule, no alerts). */
export function declareIncident(input: DeclareInput, ctx: ActionContext): ActionResult {
  const title = text('title', input.title, 300);
  if (!isSeverity(input.severity)) {
    throw new DomainError('invalid', `severity: expected SEV1, SEV2, SEV3 or SEV4, got "${input.severity}"`);
  }
  const customers = [...new Set(input.customers.map((c) => text('customers[]', c, 200)))];
  const components = [...new Set(input.components)];
  if (input.componentStatus && components.length === 0) {
    throw new DomainError('invalid', 'component_status: needs components');
  }
  const incident = newIncident({
    id: input.id,
    title,
    severity: input.severity,
    customers,
    components,
    componentStatus: components.length ? (input.componentStatus ?? null) : null,
    openedAt: ctx.now,
  });
  const events: IncidentEventDraft[] = [
    event(ctx, 'opened', {
      declared: true,
      title,
      severity: incident.severity,
      customers,
      components,
      componentStatus: incident.componentStatus,
    }),
    ...customers.map((customer) => event(ctx, 'customer.added', { customer, reason: 'declared by hand' })),
  ];
  if (input.message !== null) {
    const message = text('message', input.message);
    events.push(...publicUpdate(incident, ctx, 'investigating', message, input.nextUpdateDue));
  }
  return { incident, events };
}

export function acknowledge(base: Incident, ctx: ActionContext): ActionResult {
  notResolved(base, 'acknowledge it');
  if (base.state === 'acknowledged') {
    throw new DomainError('conflict', `incident ${base.id} is already acknowledged`);
  }
  // A flap-reopened incident keeps its first acknowledgement time (time to acknowledge counts once).
  const incident: Incident = {
    ...base,
    state: 'acknowledged',
    acknowledgedAt: base.acknowledgedAt ?? ctx.now,
  };
  return { incident, events: [event(ctx, 'acknowledged', {})] };
}

export function assignOwner(base: Incident, owner: string | undefined, ctx: ActionContext): ActionResult {
  const name = text('owner', owner, 200);
  notResolved(base, 'assign an owner');
  if (base.owner === name)
    throw new DomainError('conflict', `incident ${base.id} is already owned by ${name}`);
  const incident: Incident = { ...base, owner: name };
  return { incident, events: [event(ctx, 'owner.assigned', { owner: name, previous: base.owner })] };
}

export function changeSeverity(
  base: Incident,
  input: { severity: string; reason: string | undefined },
  ctx: ActionContext,
): ActionResult {
  if (!isSeverity(input.severity)) {
    throw new DomainError('invalid', `severity: expected SEV1, SEV2, SEV3 or SEV4, got "${input.severity}"`);
  }
  const reason = text('reason', input.reason, 1000);
  notResolved(base, 'change its severity');
  const to: Severity = input.severity;
  if (to === base.severity) throw new DomainError('conflict', `incident ${base.id} is already ${to}`);
  const incident: Incident = { ...base, severity: to };
  return {
    incident,
    events: [
      event(ctx, 'severity.changed', {
        from: base.severity,
        to,
        reason: `${base.severity} -> ${to}: ${reason}`,
      }),
    ],
  };
}

/**
 * A public update. Status `resolved` resolves the incident, as on Statuspage. The first public update
 * publishes an incident that was internal until now.
 */
export function postUpdate(
  base: Incident,
  input: { status: string; message: string | undefined; nextUpdateDue: Date | null },
  ctx: ActionContext,
): ActionResult {
  const status = publicStatus(input.status);
  const message = text('message', input.message);
  notResolved(base, 'post an update');
  const incident: Incident = { ...base };
  if (status === 'resolved') {
    const events = [
      event(ctx, 'resolved', { reason: `resolved by ${ctx.actor} with a public update` }),
      ...publicUpdate(incident, ctx, 'resolved', message, null),
    ];
    return { incident: resolvedFields(incident, ctx.now), events };
  }
  return { incident, events: publicUpdate(incident, ctx, status, message, input.nextUpdateDue) };
}

export function addNote(base: Incident, message: string | undefined, ctx: ActionContext): ActionResult {
  return { incident: base, events: [event(ctx, 'note.added', { message: text('message', message) })] };
}

function resolvedFields(incident: Incident, now: Date): Incident {
  return {
    ...incident,
    state: 'resolved',
    status: 'resolved',
    resolvedAt: now,
    autoResolveAt: null,
    nextUpdateDue: null,
  };
}

/** Resolves by hand; a published incident gets a public closing update so the status page says so. */
export function resolveIncident(
  base: Incident,
  input: { message?: string | undefined },
  ctx: ActionContext,
): ActionResult {
  if (base.state === 'resolved') throw new DomainError('conflict', `incident ${base.id} is already resolved`);
  const message = input.message?.trim() ? text('message', input.message) : null;
  const events = [event(ctx, 'resolved', { reason: message ?? `resolved by ${ctx.actor}` })];
  if (base.published) {
    events.push(
      event(
        ctx,
        'update.posted',
        { status: 'resolved', message: message ?? AUTO_RESOLVE_MESSAGE, next_update_due: null },
        'public',
      ),
    );
  }
  return { incident: resolvedFields(base, ctx.now), events };
}

export function reopenIncident(
  base: Incident,
  input: { reason?: string | undefined },
  ctx: ActionContext,
): ActionResult {
  if (base.state !== 'resolved') throw new DomainError('conflict', `incident ${base.id} is not resolved`);
  const reason = input.reason?.trim() ? text('reason', input.reason, 1000) : 'reopened by hand';
  const incident: Incident = {
    ...base,
    state: 'open',
    status: 'investigating',
    resolvedAt: null,
    autoResolveAt: null,
    lastResolvedAlertAt: null,
  };
  return {
    incident,
    events: [event(ctx, 'reopened', { reason, resolvedAt: base.resolvedAt?.toISOString() ?? null })],
  };
}
