import type { ComponentStatus } from '../core/component-status.ts';
import { parseDuration } from '../core/duration.ts';
import { DomainError } from '../core/errors.ts';
import type { Incident } from '../core/incident.ts';
import {
  type ActionContext,
  type ActionResult,
  acknowledge,
  addNote,
  assignOwner,
  changeSeverity,
  declareIncident,
  postUpdate,
  reopenIncident,
  resolveIncident,
} from '../core/incident-actions.ts';
import type { IncidentChange } from '../core/incident-change.ts';
import { selectPolicy } from '../core/sla.ts';
import type { Db, Trx } from '../store/db.ts';
import { lockIncident, openGroupIncidentId } from '../store/incident-queries.ts';
import { type TrackingSettings, trackIncidentChanges } from './incident-tracking.ts';
import type { Clock, IdGen } from './ports.ts';
import { type TrackChanges, writeIncidentChanges } from './write-incident-changes.ts';

export interface IncidentActionsDeps {
  db: Db;
  clock: Clock;
  newId: IdGen;
  settings: TrackingSettings;
  componentIds: ReadonlySet<string>;
  /** After commit (metrics, status snapshot, sockets): announceIncidentChanges. */
  onCommit: (changes: IncidentChange[]) => void;
}

export interface DeclareRequest {
  title: string;
  severity: string;
  customers?: string[] | undefined;
  components?: string[] | undefined;
  componentStatus?: ComponentStatus | null | undefined;
  message?: string | null | undefined;
  nextUpdateIn?: string | number | undefined;
}

/** `30m`, `1h30m` or a number of seconds; more than zero. */
export function parseNextUpdateIn(value: string | number | undefined): number | null {
  if (value === undefined || value === null) return null;
  const ms = parseDuration(value);
  if (ms === null || ms <= 0) {
    throw new DomainError(
      'invalid',
      `next_update_in: expected a duration like 30m or a number of seconds, got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

export type IncidentActions = ReturnType<typeof createIncidentActions>;

/** Responders' actions: each is one transaction writing the incident row, its events, clocks and outbox rows. */
export function createIncidentActions(deps: IncidentActionsDeps) {
  const { db, clock, settings } = deps;

  const nextUpdateDue = (incident: Incident, inMs: number | null, now: Date): Date | null => {
    const ms = inMs ?? selectPolicy(settings.sla, incident.customers, incident.severity)?.update?.ms ?? null;
    return ms === null ? null : new Date(now.getTime() + ms);
  };

  const track: TrackChanges = (trx, changes, now) => trackIncidentChanges(trx, settings, changes, now);
  const commit = (trx: Trx, change: IncidentChange, now: Date) =>
    writeIncidentChanges(trx, [change], now, track);

  async function apply(
    id: string,
    actor: string,
    transition: (incident: Incident, ctx: ActionContext, trx: Trx) => ActionResult | Promise<ActionResult>,
  ): Promise<IncidentChange> {
    const now = clock.now();
    const change = await db.transaction().execute(async (trx) => {
      const base = await lockIncident(trx, id);
      if (!base) throw new DomainError('not_found', `incident ${id} not found`);
      const { incident, events } = await transition(base, { actor, now }, trx);
      const change: IncidentChange = {
        incident,
        created: false,
        events: events.map((e) => ({ ...e, incidentId: incident.id })),
      };
      await commit(trx, change, now);
      return change;
    });
    deps.onCommit([change]);
    return change;
  }

  return {
    async declare(input: DeclareRequest, actor: string): Promise<IncidentChange> {
      const components = input.components ?? [];
      for (const c of components) {
        if (!deps.componentIds.has(c))
          throw new DomainError('invalid', `components: unknown component "${c}"`);
      }
      const now = clock.now();
      const inMs = parseNextUpdateIn(input.nextUpdateIn);
      const draft = {
        id: deps.newId(),
        title: input.title,
        severity: input.severity,
        customers: input.customers ?? [],
        components,
        componentStatus: input.componentStatus ?? null,
        message: input.message ?? null,
        nextUpdateDue: null,
      };
      const first = declareIncident(draft, { actor, now });
      // The promised next update needs the incident's policy, known once it is declared.
      const result =
        draft.message === null
          ? first
          : declareIncident(
              { ...draft, nextUpdateDue: nextUpdateDue(first.incident, inMs, now) },
              { actor, now },
            );
      const change: IncidentChange = {
        incident: result.incident,
        created: true,
        events: result.events.map((e) => ({ ...e, incidentId: result.incident.id })),
      };
      await db.transaction().execute((trx) => commit(trx, change, now));
      deps.onCommit([change]);
      return change;
    },
    acknowledge: (id: string, actor: string) => apply(id, actor, (i, ctx) => acknowledge(i, ctx)),
    assign: (id: string, owner: string | undefined, actor: string) =>
      apply(id, actor, (i, ctx) => assignOwner(i, owner, ctx)),
    changeSeverity: (id: string, input: { severity: string; reason?: string | undefined }, actor: string) =>
      apply(id, actor, (i, ctx) =>
        changeSeverity(i, { severity: input.severity, reason: input.reason }, ctx),
      ),
    postUpdate: (
      id: string,
      input: { status: string; message?: string | undefined; nextUpdateIn?: string | number | undefined },
      actor: string,
    ) => {
      const inMs = parseNextUpdateIn(input.nextUpdateIn);
      return apply(id, actor, (i, ctx) =>
        postUpdate(
          i,
          { status: input.status, message: input.message, nextUpdateDue: nextUpdateDue(i, inMs, ctx.now) },
          ctx,
        ),
      );
    },
    addNote: (id: string, message: string | undefined, actor: string) =>
      apply(id, actor, (i, ctx) => addNote(i, message, ctx)),
    resolve: (id: string, input: { message?: string | undefined }, actor: string) =>
      apply(id, actor, (i, ctx) => resolveIncident(i, input, ctx)),
    reopen: (id: string, input: { reason?: string | undefined }, actor: string) =>
      apply(id, actor, async (i, ctx, trx) => {
        const result = reopenIncident(i, input, ctx);
        if (i.rule !== null && i.groupKey !== null) {
          // At most one open incident per correlation group.
          const open = await openGroupIncidentId(trx, i.rule, i.groupKey, i.id);
          if (open) {
            throw new DomainError(
              'conflict',
              `incident ${open} is already open for this group (rule ${i.rule}); it gathers new alerts instead`,
            );
          }
        }
        return result;
      }),
  };
}
