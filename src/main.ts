/**
 * Boot: config -> database -> migrations -> bootstrap -> app -> listen, and a clean shutdown:
 * stop accepting, let in-flight requests finish, close the database, exit 0.
 */
import type { Server } from 'node:http';
import { buildApp } from './app.js';
import { bootstrapAdmin } from './bootstrap.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { runMigrations } from './db/migrate.js';
import { openDatabase } from './db/open.js';
import type { Database } from './db/queryable.js';
import { closeGracefully, listen } from './http-server.js';
import { keyPolicyFor } from './keys/keyring.js';
import type { Logger } from './logger.js';
import { ProviderHost } from './oidc/host.js';
import { buildProvider } from './oidc/provider.js';
import { startExpiryNotices } from './pat/expiry-notices.js';
import { startInactivityPolicy } from './pat/inactivity.js';
import { createServices, type Services } from './services.js';
import { WebhookWorker } from './webhooks/worker.js';

/** How often a running instance looks for rotated keys (SIGHUP makes it look at once). */
const KEYS_CHECK_MS = 30_000;

export interface Tessera {
  url: string;
  db: Database;
  server: Server;
  oidc: ProviderHost;
  /** Applies the inactivity policy now (it also runs on start and every 10 minutes). */
  sweepInactive(): Promise<string[]>;
  /** Sends the expiry notices due now (also on start and every `webhooks.expirySweepIntervalMs`). */
  sweepExpiry(): Promise<unknown[]>;
  /** Delivers the webhooks due now (also on start and every `webhooks.pollIntervalMs`). */
  deliverWebhooks(): Promise<number>;
  /** Stops accepting, drains in-flight requests (at most `graceMs`), closes the database. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** An already open database (tests); otherwise opened from the config. */
  db?: Database;
  /** Replaces parts of the services (benchmarks measure what audit and usage tracking cost). */
  customize?: (services: Services) => Services;
}

export async function startTessera(options: StartOptions): Promise<Tessera> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const started = performance.now();
  const db = options.db ?? (await openDatabase(config));
  const applied = await runMigrations(db);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  await bootstrapAdmin({ db, clock, config, logger });

  const defaults = createServices({ db, clock, config, logger });
  const services = options.customize ? options.customize(defaults) : defaults;
  const oidc = await ProviderHost.start(
    (keys) => buildProvider(services, keys),
    keyPolicyFor(config),
    clock,
    logger,
  );
  oidc.watch(KEYS_CHECK_MS);
  const inactivity = await startInactivityPolicy(services);
  const hooks = { db, clock, settings: config.webhooks, logger };
  const expiry = await startExpiryNotices(hooks);
  const webhooks = new WebhookWorker(hooks);
  const { server, url } = await listen(buildApp({ ...services, oidc }), {
    port: config.port,
    host: config.host,
    ...config.server,
  });
  logger.info(
    { url, database: db.kind, startupMs: Math.round(performance.now() - started) },
    'tessera listening',
  );
  webhooks.start();

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = config.server.shutdownGraceMs) => {
    stopping ??= (async () => {
      await closeGracefully(server, graceMs);
      oidc.close();
      inactivity.stop();
      expiry.stop();
      await webhooks.stop();
      await services.flushAudit();
      await db.close();
      logger.info('tessera stopped');
    })();
    return stopping;
  };
  return {
    url,
    db,
    server,
    oidc,
    sweepInactive: inactivity.sweep,
    sweepExpiry: expiry.sweep,
    deliverWebhooks: () => webhooks.deliverDue(),
    stop,
  };
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
