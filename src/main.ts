/**
 * Boot: config -> database -> migrations -> bootstrap -> app -> listen, and a clean shutdown:
 * stop accepting, let in-flight requests finish, close the database, exit 0.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from './app.js';
import { bootstrapAdmin } from './bootstrap.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { runMigrations } from './db/migrate.js';
import { openDatabase } from './db/open.js';
import type { Database } from './db/queryable.js';
import { keyPolicyFor } from './keys/keyring.js';
import type { Logger } from './logger.js';
import { ProviderHost } from './oidc/host.js';
import { buildProvider } from './oidc/provider.js';
import { createServices } from './services.js';

/** How often a running instance looks for rotated keys (SIGHUP makes it look at once). */
const KEYS_CHECK_MS = 30_000;

export interface Tessera {
  url: string;
  db: Database;
  server: Server;
  oidc: ProviderHost;
  /** Stops accepting, drains in-flight requests (at most `graceMs`), closes the database. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** An already open database (tests); otherwise opened from the config. */
  db?: Database;
}

export async function startTessera(options: StartOptions): Promise<Tessera> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const started = performance.now();
  const db = options.db ?? (await openDatabase(config));
  const applied = await runMigrations(db);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  await bootstrapAdmin({ db, clock, config, logger });
  const services = createServices({ db, clock, config, logger });
  const oidc = await ProviderHost.start(
    (keys) => buildProvider(services, keys),
    keyPolicyFor(config),
    clock,
    logger,
  );
  oidc.watch(KEYS_CHECK_MS);

  const app = buildApp({ ...services, oidc });
  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  // Bound how long a slow client may take to send its request.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info(
    { url, database: db.kind, startupMs: Math.round(performance.now() - started) },
    'tessera listening',
  );

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000) => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      oidc.close();
      await db.close();
      logger.info('tessera stopped');
    })();
    return stopping;
  };
  return { url, db, server, oidc, stop };
}

/** `tessera serve`: runs until SIGTERM or SIGINT, then shuts down cleanly and exits 0. */
export async function serve(config: Config, logger: Logger): Promise<void> {
  const tessera = await startTessera({ config, logger });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    tessera.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGHUP', () => void tessera.oidc.reload());
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
