/** `tessera`: run the service, migrate its database, and manage tokens on a running server. */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { parseWorkers, type WorkersSetting } from '../cluster/worker-count.js';
import { ConfigError, loadConfig } from '../config.js';
import { runMigrations } from '../db/migrate.js';
import { openDatabase } from '../db/open.js';
import { createLogger } from '../logger.js';
import { patScannerRegex } from '../pat/format.js';
import { registerAdminCommands } from './admin.js';
import { apiClient, CliError } from './client.js';
import { registerExchangeCommand } from './exchange.js';
import { EXIT } from './exit-codes.js';
import { registerKeyCommands } from './keys.js';
import { clientSettings, registerLoginCommands } from './login.js';
import { registerRecoverCommand } from './recover.js';
import { registerScopesCommand, registerWhoamiCommand } from './scopes.js';
import { terminalSafe } from './terminal-text.js';
import { registerTokenCommands } from './token.js';
import { registerTokenReportCommand, type TokenInput } from './token-report.js';
import { registerTrustCommands } from './trust.js';
import { registerUserCommands } from './user.js';
import { CLI_VERSION } from './version.js';
import { registerWebhookCommands } from './webhook.js';

export interface CliOutput {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Where `token report` reads tokens from (default: process.stdin). */
  stdin?: TokenInput;
}

/**
 * Anything shaped like a PAT of any prefix in commander's own messages: `tessera token report
 * --token=tsr_...` must not print the secret back in "unknown option".
 */
const redactTokens = (text: string) => text.replace(patScannerRegex('[A-Za-z][A-Za-z0-9]*'), '<redacted>');

const EXIT_CODES_HELP = `
Environment (client commands):
  TESSERA_URL     the server, with its scheme (default http://localhost:3000)
  TESSERA_TOKEN   your personal access token (the console's New token, or data/bootstrap-admin-token)
  Or once: tessera login < token-file (kept in ~/.config/tessera/config.json; the variables win)

Examples:
  export TESSERA_URL=https://tessera.example.com TESSERA_TOKEN=tsr_...
  tessera whoami
  tessera token create deploy -s repo:read -e 30
  tessera token list --expiring-within 7
  tessera exchange --audience https://api.example.com --scope repo:read

Exit codes: 0 ok, 1 refused by the server or failed, 2 usage (bad arguments, ambiguous id),
3 authentication (no TESSERA_TOKEN, 401, 403), 4 not found, 5 conflict (409), 6 server unreachable.`;

/**
 * The whole command tree. Commander's own exits become thrown `CommanderError`s (set before any
 * command is added, so every subcommand inherits it), and `runCli` turns them into exit codes.
 */
export function buildCli(
  env: Record<string, string | undefined>,
  rawOut: (text: string) => void,
  rawErr: (text: string) => void = (text) => process.stderr.write(text),
  stdin: () => TokenInput = () => process.stdin,
): Command {
  // Every byte the CLI prints passes here: server-supplied text cannot drive the terminal.
  const out = (text: string) => rawOut(terminalSafe(text));
  const err = (text: string) => rawErr(terminalSafe(text));
  const program = new Command('tessera')
    .description('Tessera security token service')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => out(text.replace(/\n$/, '')),
      writeErr: (text) => err(redactTokens(text)),
    })
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .showHelpAfterError()
    .addHelpText('after', EXIT_CODES_HELP);

  program
    .command('serve')
    .description('run the service (migrates the database first)')
    .option('--workers <n|auto>', 'processes: N, or auto (one per core); 2+ need DATABASE_URL', (v) => {
      try {
        return parseWorkers(v);
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
    })
    .action(async (options: { workers?: WorkersSetting }) => {
      const config = loadConfig(env);
      // Loaded here, not at the top: client commands need neither the server nor oidc-provider.
      const [{ serveCommand }, { stdoutLogOutput }] = await Promise.all([
        import('../cluster/serve.js'),
        import('../log-output.js'),
      ]);
      const output = stdoutLogOutput({ pretty: process.stdout.isTTY === true });
      const logger = createLogger(config.logLevel, output.stream, { patPrefix: config.tokens.prefix });
      await serveCommand(config, logger, output, options.workers);
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

  const client = () => apiClient(clientSettings(env));
  registerLoginCommands(program, env, stdin, out);
  registerKeyCommands(program, () => loadConfig(env), out);
  const publicClient = () => apiClient({ ...clientSettings(env), anonymous: true });
  registerTokenReportCommand(registerTokenCommands(program, client, out), publicClient, stdin, out);
  registerScopesCommand(program, client, out);
  registerWhoamiCommand(program, client, out);
  registerUserCommands(program, client, out);
  registerRecoverCommand(registerAdminCommands(program, client, out), () => loadConfig(env), out);
  registerExchangeCommand(program, () => clientSettings(env), out);
  registerTrustCommands(program, client, out);
  registerWebhookCommands(program, client, out);
  return program;
}

/** The exit code for what a command threw; the message goes to stderr in one line. */
function failure(error: unknown, err: (text: string) => void): number {
  // Commander has already printed its message (or the help, or the version).
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof CliError) {
    err(`tessera: ${error.message}\n`);
    return error.exitCode;
  }
  // Anything else gets its message, never a stack trace.
  err(`tessera: ${error instanceof ConfigError ? '' : 'error: '}${(error as Error).message}\n`);
  return EXIT.failed;
}

export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: CliOutput = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(text),
  },
): Promise<number> {
  try {
    await buildCli(env, io.out, io.err, () => io.stdin ?? process.stdin).parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    return failure(error, (text) => io.err(terminalSafe(text)));
  }
}
