// Over 300 lines: the composition root, the only place that constructs and wires adapters (see docs/architecture.md).
import { Registry } from 'prom-client';
import { createSessionSigner, resolveSessionSecret } from './auth/session.ts';
import { resolveTokens, type Tokens, tokensFile } from './auth/tokens.ts';
import type { Config } from './config.ts';
import type { IncidentChange } from './core/incident-change.ts';
import { openDurability } from './durability/durability.ts';
import type { IntakeJournal } from './durability/intake-journal.ts';
import { createApp, ingestDepsOf } from './http/app.ts';
import type { AppDeps } from './http/app-deps.ts';
import { metricsApp } from './http/routes/ops.ts';
import { type RunningServer, startServer } from './http/server.ts';
import { newId } from './ids.ts';
import { createDatadogIntegration } from './integrations/datadog/integration.ts';
import { notificationTargets } from './integrations/datadog/targets.ts';
import { runAutoResolve } from './jobs/auto-resolve.ts';
import { datadogReconcileJob } from './jobs/datadog-reconcile.ts';
import { DEFAULT_RESOLVE_TIMEOUT_MS, expireAlertsJob } from './jobs/expire-alerts.ts';
import { runExpireCandidates } from './jobs/expire-candidates.ts';
import { outboxJob } from './jobs/outbox.ts';
import { retentionJob } from './jobs/retention.ts';
import { type Job, startScheduler } from './jobs/scheduler.ts';
import { slaClocksJob } from './jobs/sla-clocks.ts';
import { createDatadogNoticeSender } from './notify/datadog.ts';
import { createHttpSender } from './notify/send.ts';
import { createSlackBotSender } from './notify/slack-bot.ts';
import { createIncidentActions } from './pipeline/actions.ts';
import { announceIncidentChanges } from './pipeline/incident-effects.ts';
import { type TrackingSettings, trackIncidentChanges } from './pipeline/incident-tracking.ts';
import type { AlertRouter } from './pipeline/ingest.ts';
import { type Clock, type Logger, systemClock } from './pipeline/ports.ts';
import { processWebhookBody } from './pipeline/process-webhook.ts';
import { createRefreshGauges } from './pipeline/refresh-gauges.ts';
import { createAlertRouter } from './pipeline/route-alerts.ts';
import { createRulesReloader } from './pipeline/rules-reloader.ts';
import { createEventBus } from './publish/event-bus.ts';
import type { PgNotifyBridge } from './publish/pg-notify-bridge.ts';
import { createSnapshotService } from './publish/snapshot-service.ts';
import { createWebSocketHub } from './publish/websocket-hub.ts';
import { findSource, sourceNames } from './sources/find-source.ts';
import { syncComponents } from './store/components.ts';
import { openStore, type StoreHandle } from './store/db.ts';
import { getIncident } from './store/incidents.ts';
import { migrateToLatest } from './store/migrate.ts';
import { createSilenceCache } from './store/silence-cache.ts';
import { getSlackMessage, saveSlackMessage } from './store/slack-messages.ts';
import { storeSnapshotSource } from './store/status-queries.ts';
import { waitForDatabase } from './store/wait-for-database.ts';
import { createMetrics, initMetricLabels, type Metrics } from './telemetry/metrics.ts';

export interface Incidentd {
  server: RunningServer;
  /** The metrics listener (INCIDENTD_METRICS_ADDRESS), or null. */
  metricsServer: RunningServer | null;
  store: StoreHandle;
  stop(): Promise<void>;
}

/**
 * Wires the service over an open, migrated store: rules, router, event bus, jobs and the HTTP app.
 * Shared by `serve` and by tests, so tests exercise the same wiring as production.
 */
export function assemble(deps: {
  config: Config;
  store: StoreHandle;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  tokens: Tokens;
  /** Signs internal session cookies; null (tests): derived from the admin token digest. */
  sessionSecret?: Buffer | null;
  /** True once shutdown began: /readyz answers 503. */
  draining?: () => boolean;
  journal?: IntakeJournal | null;
}) {
  const { config, store, clock, log, metrics } = deps;
  const bus = createEventBus((err) => log.error('event listener failed', { error: err }));
  const effects = { metrics, bus };
  const announce = (changes: IncidentChange[]) => announceIncidentChanges(effects, changes);
  // Datadog (DD_API_KEY): events through the outbox, monitor look-ups before ingest, reconciliation.
  const datadog = createDatadogIntegration({ config: config.datadog, clock, log, metrics });
  datadog.announce(log);
  const notifications = notificationTargets(config.catalog.notifications, datadog.enabled);
  // SLA clocks and notifications follow the catalog; they are written in every incident transaction.
  const tracking: TrackingSettings = { sla: config.catalog, notifications };
  const refreshGauges = createRefreshGauges({ db: store.db, metrics, clock });
  initMetricLabels(metrics, {
    sources: sourceNames(config.catalog.sources),
    customers: config.catalog.customers.map((c) => c.id),
  });
  let router: AlertRouter | null = null;
  const rules = createRulesReloader({
    dir: config.rulesDir,
    componentIds: new Set(config.catalog.components.map((c) => c.id)),
    log,
    metrics,
    onSwap: (set) => {
      initMetricLabels(metrics, { rules: set.rules.map((r) => r.name) });
      router = createAlertRouter(set, {
        newId,
        onCommit: (changes) => announceIncidentChanges(effects, changes),
        track: (trx, changes, now) => trackIncidentChanges(trx, tracking, changes, now),
        onBudgetExceeded: (rule, fingerprint) =>
          log.warn('rules: CEL evaluation budget exceeded, the alert does not match this rule', {
            rule,
            fingerprint,
          }),
      });
    },
  });
  rules.reload();
  // Public status: an in-memory snapshot rebuilt after public changes, pushed to /ws clients when it changes.
  const snapshots = createSnapshotService({
    source: storeSnapshotSource(store.db, {
      title: config.catalog.status_page.title,
      timeZone: config.catalog.status_page.time_zone,
      url: config.catalog.status_page.url ?? config.publicUrl,
    }),
    clock,
    log,
  });
  const hub = createWebSocketHub({
    channel: 'public',
    onCount: (n) => metrics.websocketClients.set({ channel: 'public' }, n),
  });
  snapshots.onChange((next, previous) => {
    const was = new Map(previous?.components.map((c) => [c.id, c.status]));
    hub.broadcast({
      type: 'snapshot-changed',
      version: next.version,
      status: next.status,
      components: next.components
        .filter((c) => was.get(c.id) !== c.status)
        .map((c) => ({ id: c.id, status: c.status })),
    });
  });
  // Internal pages (console, timelines) refresh on every incident change, public or not.
  const internalHub = createWebSocketHub({
    channel: 'internal',
    onCount: (n) => metrics.websocketClients.set({ channel: 'internal' }, n),
  });
  bus.subscribe((event) => {
    if (event.type === 'incident.changed')
      internalHub.broadcast({ type: 'incident-changed', id: event.incidentId, kinds: event.kinds });
  });
  // One active-silence cache per replica (API, console form, ingest); another replica's change reloads it.
  const silences = createSilenceCache({ db: store.db, clock });
  bus.subscribe((event) => {
    if (event.type === 'silence.changed') silences.invalidate();
  });
  // An unpublished incident changes nothing public, so it costs no rebuild.
  bus.subscribe((event) => {
    if (event.type !== 'incident.changed' || event.public) snapshots.invalidate();
  });
  const jobs: Job[] = [
    {
      name: 'auto-resolve',
      run: async (now) =>
        announce(
          await runAutoResolve(store.db, now, {
            track: (trx, changes, at) => trackIncidentChanges(trx, tracking, changes, at),
          }),
        ),
    },
    { name: 'expire-candidates', run: (now) => runExpireCandidates(store.db, now) },
    slaClocksJob({ db: store.db, settings: tracking, metrics, announce, refreshGauges }),
    outboxJob({
      db: store.db,
      targets: notifications,
      publicUrl: config.publicUrl,
      send: createHttpSender({ timeoutMs: 10_000 }),
      senders: {
        'slack-bot': createSlackBotSender({
          publicUrl: config.publicUrl,
          messages: {
            get: (target, id) => getSlackMessage(store.db, target, id),
            save: (target, id, ref) => saveSlackMessage(store.db, target, id, ref, clock.now()),
          },
          log,
        }),
        ...(datadog.api
          ? {
              datadog: createDatadogNoticeSender({
                api: datadog.api,
                publicUrl: config.publicUrl,
                isPublished: async (id) => (await getIncident(store.db, id))?.published ?? false,
                log,
              }),
            }
          : {}),
      },
      announce,
    }),
  ];
  // Pruning of old dead letters, alerts, alert events, candidate groups (and incidents, if asked for).
  if (config.retention) jobs.push(retentionJob({ db: store.db, settings: config.retention, log }));
  jobs.push(
    expireAlertsJob({
      ingest: ingestDepsOf({ store, clock, newId, log, metrics, router: () => router, enrich: null }).ingest,
      source: 'prometheus',
      resolveTimeoutMs: config.prometheusResolveTimeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS,
    }),
  );
  if (datadog.monitors && config.datadog) {
    const monitors = datadog.monitors;
    jobs.push(
      datadogReconcileJob({
        db: store.db,
        newId,
        router: () => router,
        getMonitor: (id) => monitors.getMonitor(id),
        intervalMs: config.datadog.reconcileIntervalMs,
        staleAfterMs: config.datadog.reconcileStaleAfterMs,
        log,
        onRun: (run) => datadog.recordReconcile(run),
      }),
    );
  }
  const actions = createIncidentActions({
    db: store.db,
    clock,
    newId,
    settings: tracking,
    componentIds: new Set(config.catalog.components.map((c) => c.id)),
    onCommit: announce,
  });
  const appDeps: AppDeps = {
    config,
    store,
    clock,
    newId,
    log,
    refreshGauges,
    actions,
    metrics,
    tokens: deps.tokens,
    readiness: { rulesLoaded: () => rules.current() !== null, draining: deps.draining ?? (() => false) },
    router: () => router,
    statusPage: { snapshots, hub, announce: (event) => bus.emit(event) },
    internalHub,
    signer: createSessionSigner({ secret: deps.sessionSecret ?? null, adminDigest: () => deps.tokens.admin }),
    enrich: datadog.enrich ?? null,
    datadogStatus: () => datadog.status(),
    silences,
    journal: deps.journal ?? null,
  };
  const app = createApp(appDeps);
  // Intake journal replay at start: the webhook route's processing over the same wiring.
  const webhook = ingestDepsOf({ ...appDeps, limits: config.limits });
  const replay = async (source: string, body: Uint8Array) => {
    const sender = findSource(source, config.catalog.sources);
    // A kept body of a custom source since removed from the catalog: refused, not a crash.
    if (!sender) return { status: 400 };
    const outcome = await processWebhookBody(webhook, sender, body);
    return { status: outcome.kind === 'accepted' ? 200 : 400 };
  };
  return { app, replay, bus, rules, jobs, snapshots, hub, internalHub, actions, refreshGauges, datadog };
}

/** The composition root: the only place that constructs adapters and wires them together. */
export async function startIncidentd(
  config: Config,
  log: Logger,
  clock: Clock = systemClock,
): Promise<Incidentd> {
  const started = performance.now();
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let bridge: PgNotifyBridge | null = null;
  try {
    await waitForDatabase(store, config.databaseUrl ? 10_000 : 0, config.databaseUrl);
    const applied = await migrateToLatest(store);
    if (applied.length) log.info('migrations applied', { count: applied.length, latest: applied.at(-1) });
    await syncComponents(store.db, config.catalog, clock.now());
    const tokens = await resolveTokens(
      store.db,
      { ingest: config.ingestToken, admin: config.adminToken },
      log,
      config.databaseUrl ? null : tokensFile(config.dataDir),
    );
    const metrics = createMetrics(new Registry(), { defaultMetrics: true });
    const sessionSecret = await resolveSessionSecret(store.db);
    let draining = false;
    const durability = await openDurability({ config, store, log });
    const { journal } = durability;
    const service = assemble({
      config,
      store,
      clock,
      log,
      metrics,
      tokens,
      sessionSecret,
      draining: () => draining,
      journal,
    });
    await durability.recover(service.replay);
    service.rules.watch();
    // Replicas on one PostgreSQL: tell the others about our commits, hear theirs (snapshot, WebSocket clients).
    const pool = store.kind === 'postgres' ? store.pool : undefined;
    if (pool && config.databaseUrl) {
      // Loaded only for PostgreSQL (it brings the pg driver).
      const { createPgNotifyBridge, listenerConnection } = await import('./publish/pg-notify-bridge.ts');
      const b = createPgNotifyBridge({
        connect: listenerConnection(config.databaseUrl),
        notify: (text, values) => pool.query(text, values),
        bus: service.bus,
        replicaId: newId(),
        log,
        onResync: () => service.snapshots.invalidate(),
      });
      bridge = b;
      service.bus.subscribe((event) => b.publish(event));
      await b.start();
    }
    const scheduler = startScheduler(service.jobs, { clock, log, intervalMs: config.jobIntervalMs });
    await service.snapshots.rebuild();
    const server = await startServer(service.app, {
      port: config.port,
      host: config.host,
      websocket: true,
      requestTimeoutMs: config.httpRequestTimeoutMs,
      headersTimeoutMs: config.httpHeadersTimeoutMs,
    });
    const metricsServer = config.metricsAddress
      ? await startServer(
          metricsApp({ metrics, refreshGauges: service.refreshGauges }),
          config.metricsAddress,
        )
      : null;
    log.info('incidentd ready', {
      url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${server.port}`,
      storage: store.kind === 'pglite' ? `embedded PGlite (${config.dataDir})` : 'PostgreSQL',
      rules: service.rules.current()?.rules.length ?? 0,
      startup_ms: Math.round(performance.now() - started),
      ...(metricsServer
        ? { metrics: `http://${config.metricsAddress?.host}:${metricsServer.port}/metrics` }
        : {}),
    });
    for (const name of sourceNames(config.catalog.sources))
      log.info(`webhook ${name}: ${config.publicUrl}/webhooks/${name}`);
    return {
      server,
      metricsServer,
      store,
      stop: async () => {
        // /readyz answers 503 from now on; jobs finish their current run and start no other.
        draining = true;
        const jobsStopped = scheduler.stop();
        // Upgraded sockets would keep server.close() waiting: close them first.
        service.hub.closeAll();
        service.internalHub.closeAll();
        // Every request that reached us is answered (with Connection: close) before the pool closes.
        await server.close(config.shutdownTimeoutMs, config.shutdownDelayMs);
        await metricsServer?.close(1_000);
        // The last requests' events still reach the other replicas, unless the database is gone.
        await Promise.race([bridge?.flush(), new Promise((r) => setTimeout(r, 5_000).unref())]);
        await bridge?.close();
        service.snapshots.stop();
        await service.snapshots.flush();
        service.rules.close();
        await jobsStopped;
        await durability.close();
        await store.close();
      },
    };
  } catch (err) {
    await bridge?.close();
    await store.close().catch(() => {});
    throw err;
  }
}
