import { ConfigError } from './catalog.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { DatabaseUnavailableError } from './store/errors.ts';

const USAGE = `usage: incidentd <command>

commands:
  serve                 run the server (same as npm start)
  migrate               apply database migrations and exit
  rules check [DIR]     validate rule files (default: RULES_DIR or ./rules)
  rules test FILE...    run rule unit tests
  sources test NAME BODY.json [--table] [--form]
                        print the alerts a webhook body becomes by the catalog's source NAME
  demo [--url URL] [--token TOKEN] [--wait SECONDS] [FILE...]
                        post the sample payloads in examples/ to a running server (same as npm run demo)
`;

/** One clear line for the errors a user can fix; a stack trace only for our bugs. */
function fail(err: unknown): never {
  if (err instanceof ConfigError || err instanceof DatabaseUnavailableError) {
    process.stderr.write(`incidentd: ${err.message}\n`);
  } else if (err instanceof Error && /migration .* failed/.test(err.message)) {
    process.stderr.write(`incidentd: ${err.message}\n`);
  } else {
    process.stderr.write(`incidentd: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
}

async function serve(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  // Before the app is built, so the first webhook is traced; the SDK is only loaded when asked for.
  const tracing = config.tracing
    ? (await import('./telemetry/tracing-setup.ts')).setupTracing(config.tracing, log)
    : null;
  // Loaded per command: `rules check` needs neither the app nor the database drivers.
  const { startIncidentd } = await import('./main.ts');
  const app = await startIncidentd(config, log);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    // A bound on the whole stop: the drain has its own, this catches a hung database close or job.
    const bound = (config.shutdownDelayMs ?? 0) + (config.shutdownTimeoutMs ?? 10_000) + 15_000;
    setTimeout(() => {
      log.error('shutdown did not finish in time; exiting', { after_ms: bound });
      process.exit(1);
    }, bound).unref();
    await app.stop();
    // After the server has drained: the last requests' spans are exported too.
    await tracing?.shutdown();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

async function migrate(): Promise<void> {
  const config = loadConfig();
  const [{ openStore }, { migrateToLatest }, { waitForDatabase }] = await Promise.all([
    import('./store/db.ts'),
    import('./store/migrate.ts'),
    import('./store/wait-for-database.ts'),
  ]);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await waitForDatabase(store, config.databaseUrl ? 10_000 : 0, config.databaseUrl);
    const applied = await migrateToLatest(store);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await store.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
    case undefined:
      await serve();
      return -1;
    case 'migrate':
      await migrate();
      return 0;
    case 'rules': {
      const { rulesCommand } = await import('./rules-cli.ts');
      return rulesCommand(rest);
    }
    case 'sources': {
      const { sourcesCommand } = await import('./sources-cli.ts');
      return sourcesCommand(rest);
    }
    case 'demo': {
      const { demoCommand } = await import('./demo.ts');
      return demoCommand(rest);
    }
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`incidentd: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => fail(err),
);
