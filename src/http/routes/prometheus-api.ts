import { Hono } from 'hono';
import type { WebhookDeps } from '../../pipeline/process-webhook.ts';
import { refireExpired } from '../../pipeline/refire-expired.ts';
import { prometheusSource } from '../../sources/prometheus/prometheus-source.ts';
import { PROMETHEUS_SOURCE } from '../../sources/prometheus/to-raw.ts';
import { expiredFingerprints } from '../../store/alert-expiry.ts';
import type { AppDeps } from '../app-deps.ts';
import { journalAndProcess, noteAborted, readIntakeBody } from '../intake-request.ts';
import { hasToken, unauthorized } from '../middleware/require-token.ts';

/** The Alertmanager version whose API these routes speak (what `GET /api/v2/status` reports). */
const SPEAKS_ALERTMANAGER = '0.25.0';

/**
 * Alertmanager's API as Prometheus uses it, so `alerting.alertmanagers` can point straight at incidentd:
 * `POST /api/v2/alerts` (postable alerts, source `prometheus`) and `GET /api/v2/status`, at the root and under
 * INCIDENTD_ALERTMANAGER_API_PREFIX. The ingest token comes as `authorization` (Bearer) or `basic_auth` password.
 */
export function prometheusApiRoutes(deps: AppDeps, webhook: WebhookDeps): Hono {
  const app = new Hono();
  const startedAt = deps.clock.now();
  const refiring: WebhookDeps = {
    ...webhook,
    ingest: {
      ...webhook.ingest,
      enrich: refireExpired(
        (fingerprints) => expiredFingerprints(deps.store.db, PROMETHEUS_SOURCE, fingerprints),
        () => deps.clock.now(),
        webhook.ingest.enrich,
      ),
    },
  };
  const prefixes = [...new Set(['', deps.config.alertmanagerApiPrefix ?? ''])];
  for (const prefix of prefixes) {
    app.use(`${prefix}/api/v2/alerts`, async (c, next) => {
      if (hasToken(c, deps.tokens.ingest)) return next();
      if (c.req.method === 'POST')
        deps.metrics.alertsRejected.inc({ source: PROMETHEUS_SOURCE, reason: 'unauthorized' });
      return unauthorized(c, 'ingest');
    });
    app.use(`${prefix}/api/v2/status`, async (c, next) =>
      hasToken(c, deps.tokens.ingest) ? next() : unauthorized(c, 'ingest'),
    );
    app.post(`${prefix}/api/v2/alerts`, async (c) => {
      const started = performance.now();
      const now = deps.clock.now();
      try {
        const read = await readIntakeBody(deps, c, PROMETHEUS_SOURCE, now);
        if (!read.ok)
          return c.json({ error: read.error, message: read.message, dead_letter_id: read.deadLetterId }, 413);
        const outcome = await journalAndProcess(deps, refiring, c, prometheusSource, read.bytes, now);
        if (outcome.kind === 'invalid')
          return c.json(
            { error: outcome.kind, message: outcome.message, dead_letter_id: outcome.deadLetterId },
            400,
          );
        deps.metrics.ingestDuration.observe(
          { source: PROMETHEUS_SOURCE },
          (performance.now() - started) / 1000,
        );
        return c.json(outcome.result, 200);
      } catch (err) {
        noteAborted(deps, PROMETHEUS_SOURCE, err);
        throw err;
      }
    });
    // Alertmanager's `alertmanagerStatus`: what API clients (amtool, Grafana's data source) read to identify it.
    app.get(`${prefix}/api/v2/status`, (c) =>
      c.json({
        cluster: { name: '', status: 'disabled', peers: [] },
        versionInfo: {
          version: SPEAKS_ALERTMANAGER,
          branch: 'incidentd',
          revision: '',
          buildUser: '',
          buildDate: '',
          goVersion: '',
        },
        config: { original: '# incidentd: alerts posted here become incidents through its rules\n' },
        uptime: startedAt.toISOString(),
      }),
    );
  }
  return app;
}
