/** `tessera`: run the service, migrate its database, and manage tokens on a running server. */
import { Command } from 'commander';
import { ConfigError, loadClientConfig, loadConfig } from '../config.js';
import { runMigrations } from '../db/migrate.js';
import { openDatabase } from '../db/open.js';
import { createLogger } from '../logger.js';
import { apiClient, CliError } from './client.js';
import { registerExchangeCommand } from './exchange.js';
import { registerKeyCommands } from './keys.js';
import { registerTokenCommands } from './token.js';
import { registerTrustCommands } from './trust.js';
import { registerWebhookCommands } from './webhook.js';

export function buildCli(env: Record<string, string | undefined>, out: (text: string) => void): Command {
  const program = new Command('tessera').description('Tessera security token service').showHelpAfterError();

  program
    .command('serve')
    .description('run the service (migrates the database first)')
    .action(async () => {
      const config = loadConfig(env);
      // Loaded here, not at the top: client commands need neither the server nor oidc-provider.
      const { serve } = await import('../main.js');
      await serve(config, createLogger(config.logLevel, undefined, { patPrefix: config.tokens.prefix }));
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      const config = loadConfig(env);
      const db = await openDatabase(config);
      try {
        const applied = await runMigrations(db);
        out(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await db.close();
      }
    });

  registerKeyCommands(program, () => loadConfig(env), out);
  registerTokenCommands(program, () => apiClient(loadClientConfig(env)), out);
  registerExchangeCommand(program, () => loadClientConfig(env), out);
  registerTrustCommands(program, () => apiClient(loadClientConfig(env)), out);
  registerWebhookCommands(program, () => apiClient(loadClientConfig(env)), out);
  return program;
}

export async function runCli(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  try {
    await buildCli(env, (text) => process.stdout.write(`${text}\n`)).parseAsync(argv);
    return 0;
  } catch (error) {
    // Expected failures are one line; anything else gets its message, never a stack trace.
    const known = error instanceof ConfigError || error instanceof CliError;
    process.stderr.write(`tessera: ${known ? '' : 'error: '}${(error as Error).message}\n`);
    return 1;
  }
}
