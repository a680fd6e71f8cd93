import { Hono } from 'hono';
import { DomainError } from '../../core/errors.ts';
import { getAlertLabels } from '../../store/alert-queries.ts';
import { resolveActor } from '../actor.ts';
import { createSilence, type SilenceWriteDeps } from '../create-silence.ts';

/** The durations the console's "Silence" form offers. */
export const SILENCE_DURATIONS: Record<string, number> = {
  '1h': 3_600_000,
  '4h': 14_400_000,
  '24h': 86_400_000,
};

/**
 * POST /internal/alerts/:id/silence (a console form; CSRF is checked by internalAuth for every unsafe method):
 * silences alerts with exactly this alert's labels, as Alertmanager's "Silence" button pre-fills every label as
 * an equality matcher, for the chosen duration. Then back to the console.
 */
export function internalSilenceRoutes(deps: SilenceWriteDeps): Hono {
  const app = new Hono();
  app.post('/alerts/:id/silence', async (c) => {
    const id = c.req.param('id');
    const alert = await getAlertLabels(deps.db, id);
    if (!alert) throw new DomainError('not_found', `alert ${id} not found`);
    const form = await c.req.parseBody();
    const choice = typeof form.duration === 'string' ? form.duration : '';
    const duration = Object.hasOwn(SILENCE_DURATIONS, choice) ? SILENCE_DURATIONS[choice]! : null;
    if (duration === null) {
      throw new DomainError(
        'invalid',
        `duration: expected one of ${Object.keys(SILENCE_DURATIONS).join(', ')}`,
      );
    }
    const note = typeof form.comment === 'string' ? form.comment.trim().slice(0, 1000) : '';
    const matchers = Object.keys(alert.labels)
      .sort()
      .map((name) => ({ name, value: alert.labels[name]!, isRegex: false, isEqual: true }));
    await createSilence(deps, {
      matchers,
      endsAt: new Date(deps.clock.now().getTime() + duration),
      createdBy: resolveActor(c, undefined),
      comment: note || `Silenced from the console: ${alert.title}`,
    });
    return c.redirect('/internal', 303);
  });
  return app;
}
