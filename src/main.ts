/**
 * Boot: config -> database -> migrations -> bootstrap -> app -> listen, and a clean shutdown:
 * stop accepting, let in-flight requests finish, close the database, exit 0.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { buildApp } from './app.js';
import { BOOTSTRAP_TOKEN_FILE, bootstrapAdmin } from './bootstrap.js';
import { type Clock, systemClock } from './clock.js';
import type { ReadyInfo } from './cluster/messages.js';
import type { Config } from './config.js';
import { runMigrations } from './db/migrate.js';
import { openDatabase } from './db/open.js';
import type { Database } from './db/queryable.js';
import { bind, closeGracefully } from './http-server.js';
import { keyPolicyFor } from './keys/keyring.js';
import type { LogOutput } from './log-output.js';
import type { Logger } from './logger.js';
import { EmailWorker } from './notifications/worker.js';
import { ProviderHost } from './oidc/host.js';
import { buildProvider } from './oidc/provider.js';
import { startExpiryNotices } from './pat/expiry-notices.js';
import { startInactivityPolicy } from './pat/inactivity.js';
import { createServices, type Services } from './services.js';
import { startRetentionSweep } from './webhooks/retention.js';
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
  /** Sends the email notices due now (0 when `notifications.email` is not configured). */
  deliverEmails(): Promise<number>;
  /** Writes the exchange audit rows waiting for their batch, and waits for writes in flight. */
  flushAudit(): Promise<void>;
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
  /** Called instead of printing the start line (a cluster worker reports to its primary). */
  onReady?: (info: ReadyInfo) => void;
}

/** The one start line people read: where to point clients, the console, the first token. */
export function logReady(logger: Logger, config: Config, fields: Record<string, unknown>, written?: string) {
  // The file bootstrap just wrote, which is not the usual name when that one was taken.
  const tokenFile = written ?? join(config.dataDir, BOOTSTRAP_TOKEN_FILE);
  const hasTokenFile = existsSync(tokenFile);
  const consoleUrl = `${config.issuer}/console`;
  const token = hasTokenFile ? `; first admin token in ${tokenFile}` : '';
  logger.info(
    {
      issuer: config.issuer,
      console: consoleUrl,
      bootstrapTokenFile: hasTokenFile ? tokenFile : null,
      ...fields,
    },
    `tessera ready at ${config.issuer} (console ${consoleUrl}${token})`,
  );
}

export async function startTessera(options: StartOptions): Promise<Tessera> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const started = performance.now();
  // The port first: if it is taken, the database has not been touched (no migration, no bootstrap).
  // A cluster worker listens last instead (its primary checked the port before forking).
  const worker = options.onReady !== undefined;
  const bound = await bind({ port: config.port, host: config.host, ...config.server }, { listen: !worker });
  const { server } = bound;
  try {
    const db = options.db ?? (await openDatabase(config, (message) => logger.warn(message)));
    const applied = await runMigrations(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    const bootstrapped = await bootstrapAdmin({ db, clock, config, logger });

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
    const retention = startRetentionSweep({
      ...hooks,
      emailRetentionDays: config.notifications.retentionDays,
    });
    const webhooks = new WebhookWorker(hooks);
    const emailSettings = config.notifications.email;
    const emails = emailSettings
      ? new EmailWorker({ db, clock, settings: emailSettings, issuer: config.issuer, logger })
      : null;
    bound.mount(buildApp({ ...services, oidc }));
    if (worker) await bound.listen();
    const url = bound.url;
    const ready: ReadyInfo = {
      address: url.replace(/^http:\/\//, ''),
      database: db.kind,
      startupMs: Math.round(performance.now() - started),
      tokenFile: bootstrapped?.tokenFile,
    };
    if (options.onReady) options.onReady(ready);
    else
      logReady(
        logger,
        config,
        { address: ready.address, database: ready.database, startupMs: ready.startupMs },
        ready.tokenFile,
      );
    webhooks.start();
    emails?.start();

    let stopping: Promise<void> | undefined;
    const stop = (graceMs = config.server.shutdownGraceMs) => {
      stopping ??= (async () => {
        await closeGracefully(server, graceMs);
        oidc.close();
        await inactivity.stop();
        await expiry.stop();
        await retention.stop();
        await webhooks.stop();
        await emails?.stop();
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
      sweepInactive: inactivity.run,
      sweepExpiry: expiry.run,
      deliverWebhooks: () => webhooks.deliverDue(),
      deliverEmails: () => emails?.sendDue() ?? Promise.resolve(0),
      flushAudit: services.flushAudit,
      stop,
    };
  } catch (error) {
    server.close();
    throw error;
  }
}

/** How long exit waits for queued log lines: a reader that stopped reading must not hold it. */
const LOG_FLUSH_DEADLINE_MS = 250;

/**
 * `tessera serve`: runs until SIGTERM or SIGINT, then shuts down cleanly and exits 0. The log is
 * flushed with a deadline before `process.exit`, whatever became of stdout's reader.
 */
export async function serve(
  config: Config,
  logger: Logger,
  output?: LogOutput,
  start: Pick<StartOptions, 'customize' | 'onReady'> = {},
): Promise<void> {
  const tessera = await startTessera({ config, logger, ...start });
  const exit = async (code: number) => {
    await output?.flush(LOG_FLUSH_DEADLINE_MS);
    process.exit(code);
  };
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    tessera.stop().then(
      () => exit(0),
      (error) => {
        logger.error({ err: error }, 'unclean shutdown');
        return exit(1);
      },
    );
  };
  process.on('SIGHUP', () => void tessera.oidc.reload());
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
