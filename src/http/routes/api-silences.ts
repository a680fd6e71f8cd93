import { Hono } from 'hono';
import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';
import { type SilenceMatcher, silenceState } from '../../core/silence.ts';
import { parsePageRequest, toPage } from '../../store/pagination.ts';
import { expireSilence, getSilence, listSilences, type SilenceRecord } from '../../store/silences.ts';
import { resolveActor } from '../actor.ts';
import { createSilence, type SilenceWriteDeps } from '../create-silence.ts';

/**
 * Alertmanager-compatible silences (mounted behind the admin token): the v2 API's field names and answers
 * (`{silenceID}` on create, `status: {state}`), with our list convention `{items, next_cursor}`.
 */

const MAX_BODY_BYTES = 64 * 1024;

const matcher = z.object({
  name: z.string().max(256),
  value: z.string().max(4096),
  isRegex: z.boolean().default(false),
  // Alertmanager's default: a matcher without isEqual is an equality (=, =~).
  isEqual: z.boolean().default(true),
});

const body = z.object({
  // amtool sends an id to update a silence; we only create (expire and create instead).
  id: z.string().optional(),
  matchers: z.array(matcher),
  startsAt: z.iso.datetime({ offset: true }).optional(),
  endsAt: z.iso.datetime({ offset: true }),
  createdBy: z.string().trim().min(1).max(200),
  comment: z.string().trim().min(1).max(10_000),
});

/** `matchers.1.value` → `matchers[1].value`, the way the core's problems name fields. */
const fieldName = (path: PropertyKey[]) =>
  path.reduce<string>(
    (name, part) =>
      typeof part === 'number' ? `${name}[${part}]` : name ? `${name}.${String(part)}` : String(part),
    '',
  ) || 'body';

export function toSilenceJson(s: SilenceRecord, now: Date) {
  return {
    id: s.id,
    status: { state: silenceState(s, now) },
    matchers: s.matchers.map((m: SilenceMatcher) => ({
      name: m.name,
      value: m.value,
      isRegex: m.isRegex,
      isEqual: m.isEqual,
    })),
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    createdBy: s.createdBy,
    comment: s.comment,
  };
}

function parseBody(text: string) {
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new DomainError('invalid', 'body: too large');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DomainError('invalid', 'body: not valid JSON');
  }
  const parsed = body.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const missing = issue.code === 'invalid_type' && issue.input === undefined;
      return `${fieldName(issue.path)}: ${missing ? 'required' : issue.message}`;
    });
    throw new DomainError('invalid', problems.join('; '));
  }
  return parsed.data;
}

const STATES = new Set(['active', 'pending', 'expired']);

export function silenceApiRoutes(deps: SilenceWriteDeps): Hono {
  const app = new Hono();
  const changed = (id: string) => {
    deps.silences.invalidate();
    deps.announce(id);
  };

  app.post('/silences', async (c) => {
    const b = parseBody(await c.req.text());
    if (b.id) {
      throw new DomainError(
        'invalid',
        'id: updating a silence is not supported; expire it (DELETE) and create a new one',
      );
    }
    const created = await createSilence(deps, {
      matchers: b.matchers,
      ...(b.startsAt ? { startsAt: new Date(b.startsAt) } : {}),
      endsAt: new Date(b.endsAt),
      createdBy: resolveActor(c, b.createdBy),
      comment: b.comment,
    });
    return c.json({ silenceID: created.id, matches_now: created.matchesNow });
  });

  app.get('/silences', async (c) => {
    const q = c.req.query();
    if (q.state !== undefined && !STATES.has(q.state)) {
      throw new DomainError('invalid', 'state: expected active, pending or expired');
    }
    const page = parsePageRequest(q);
    const now = deps.clock.now();
    const rows = await listSilences(deps.db, page, now, {
      ...(q.state ? { state: q.state as 'active' | 'pending' | 'expired' } : {}),
    });
    const { items, next_cursor } = toPage(rows, page.limit, (s) => ({ at: s.createdAt, id: s.id }));
    return c.json({ items: items.map((s) => toSilenceJson(s, now)), next_cursor });
  });

  app.get('/silences/:id', async (c) => {
    const s = await getSilence(deps.db, c.req.param('id'));
    if (!s) throw new DomainError('not_found', `silence ${c.req.param('id')} not found`);
    return c.json(toSilenceJson(s, deps.clock.now()));
  });

  /** Expires the silence now (Alertmanager's DELETE); expiring an expired one changes nothing. */
  app.delete('/silences/:id', async (c) => {
    const now = deps.clock.now();
    const s = await expireSilence(deps.db, c.req.param('id'), now);
    if (!s) throw new DomainError('not_found', `silence ${c.req.param('id')} not found`);
    changed(s.id);
    return c.json(toSilenceJson(s, now));
  });
  return app;
}
