import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import {
  acknowledge,
  addNote,
  assignOwner,
  changeSeverity,
  declareIncident,
  postUpdate,
  reopenIncident,
  resolveIncident,
} from './incident-actions.ts';

const now = new Date('2026-11-01T10:00:00Z');
const ctx = { actor: 'alice', now };
const declared = () =>
  declareIncident(
    {
      id: 'inc1',
      title: ' API down ',
      severity: 'SEV2',
      customers: ['acme', 'acme'],
      components: ['api'],
      componentStatus: 'major_outage',
      message: null,
      nextUpdateDue: null,
    },
    ctx,
  ).incident;

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof DomainError ? `${err.code}: ${err.message}` : String(err);
  }
  return 'no error';
};

describe('incident actions', () => {
  it('declares an internal incident; a message publishes it', () => {
    const i = declared();
    expect([i.title, i.customers, i.published, i.rule]).toEqual(['API down', ['acme'], false, null]);
    const r = declareIncident(
      {
        id: 'x',
        title: 't',
        severity: 'SEV1',
        customers: [],
        components: [],
        componentStatus: null,
        message: 'Looking',
        nextUpdateDue: new Date('2026-11-01T10:30:00Z'),
      },
      ctx,
    );
    expect(r.incident.published).toBe(true);
    expect(r.events.map((e) => e.kind)).toEqual(['opened', 'published', 'update.posted']);
    expect(r.events[2]!.visibility).toBe('public');
  });

  it('acknowledges once; not when resolved', () => {
    const a = acknowledge(declared(), ctx).incident;
    expect([a.state, a.acknowledgedAt]).toEqual(['acknowledged', now]);
    expect(code(() => acknowledge(a, ctx))).toMatch(/^conflict: .*already acknowledged/);
    const resolved = resolveIncident(declared(), {}, ctx).incident;
    expect(code(() => acknowledge(resolved, ctx))).toMatch(/^conflict: .*resolved; reopen it/);
  });

  it('validates owners, severities, statuses and messages', () => {
    const i = declared();
    expect(code(() => assignOwner(i, '  ', ctx))).toBe('invalid: owner: must not be empty');
    expect(assignOwner(i, 'bob', ctx).incident.owner).toBe('bob');
    expect(code(() => changeSeverity(i, { severity: 'SEV9', reason: 'x' }, ctx))).toMatch(
      /^invalid: severity/,
    );
    expect(code(() => changeSeverity(i, { severity: 'SEV1', reason: '' }, ctx))).toBe(
      'invalid: reason: must not be empty',
    );
    expect(code(() => changeSeverity(i, { severity: 'SEV2', reason: 'same' }, ctx))).toMatch(/^conflict/);
    expect(code(() => postUpdate(i, { status: 'fixed', message: 'm', nextUpdateDue: null }, ctx))).toMatch(
      /^invalid: status: unknown status "fixed"/,
    );
    expect(code(() => addNote(i, '', ctx))).toBe('invalid: message: must not be empty');
  });

  it('a first public update publishes; a resolved update resolves', () => {
    const due = new Date('2026-11-01T10:30:00Z');
    const r = postUpdate(declared(), { status: 'identified', message: 'Found it', nextUpdateDue: due }, ctx);
    expect(r.events.map((e) => e.kind)).toEqual(['published', 'update.posted']);
    expect(r.events[1]!.data).toEqual({
      status: 'identified',
      message: 'Found it',
      next_update_due: due.toISOString(),
    });
    expect([r.incident.published, r.incident.status, r.incident.nextUpdateDue]).toEqual([
      true,
      'identified',
      due,
    ]);
    const done = postUpdate(r.incident, { status: 'resolved', message: 'Fixed', nextUpdateDue: due }, ctx);
    expect([done.incident.state, done.incident.nextUpdateDue]).toEqual(['resolved', null]);
  });

  it('resolves once, posting a public closing update when published; reopens only resolved ones', () => {
    const pub = postUpdate(
      declared(),
      { status: 'identified', message: 'm', nextUpdateDue: null },
      ctx,
    ).incident;
    const r = resolveIncident(pub, {}, ctx);
    expect(r.events.map((e) => [e.kind, e.visibility])).toEqual([
      ['resolved', 'internal'],
      ['update.posted', 'public'],
    ]);
    expect(code(() => resolveIncident(r.incident, {}, ctx))).toMatch(/already resolved/);
    expect(reopenIncident(r.incident, {}, ctx).incident.state).toBe('open');
    expect(code(() => reopenIncident(pub, {}, ctx))).toMatch(/is not resolved/);
  });
});
