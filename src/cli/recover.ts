/**
 * `tessera admin recover`: break-glass for a locked-out administrator, run where the database
 * is reachable (see src/users/recover.ts). The token goes to a 0600 file, never to stdout
 * unless `--print` asks for it, so it does not end up in a terminal's scrollback or a CI log.
 */
import { mkdir, open, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import { openDatabase } from '../db/open.js';
import type { Queryable } from '../db/queryable.js';
import { ApiProblem } from '../errors.js';
import { recoverAdmin } from '../users/recover.js';
import { CliError } from './client.js';
import { EXIT, exitCodeForStatus } from './exit-codes.js';
import { parseLifetimeDays } from './format.js';
import { CLI_USER_AGENT } from './version.js';

export const RECOVERY_TOKEN_FILE = 'recovery-admin-token';

interface RecoverOptions {
  user: string;
  out?: string;
  print?: boolean;
  expiresInDays: number;
}

/** A new file only its owner can read: an old one (or a planted symlink) is removed first. */
async function writeSecretFile(path: string, secret: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await rm(path, { force: true });
  const file = await open(path, 'wx', 0o600);
  try {
    await file.writeFile(`${secret}\n`);
  } finally {
    await file.close();
  }
}

/** A database Tessera never ran on has nobody to recover: say so rather than fail in SQL. */
async function requireSchema(db: Queryable): Promise<void> {
  const { rows } = await db.query<{ users: string | null }>("SELECT to_regclass('users')::text AS users");
  if (!rows[0]?.users) {
    throw new CliError(
      'this database has no Tessera schema: nothing to recover (run tessera serve once)',
      EXIT.notFound,
    );
  }
}

export function registerRecoverCommand(admin: Command, config: () => Config, out: (text: string) => void) {
  admin
    .command('recover')
    .description('break-glass: a new admin token, from the database directly')
    .option('--user <username>', 'the administrator to recover', 'admin')
    .option('--out <file>', `the token file (default: data dir's ${RECOVERY_TOKEN_FILE})`)
    .option('--print', 'print the token instead of writing a file')
    .option('-e, --expires-in-days <days>', 'lifetime of the new token', parseLifetimeDays, 1)
    .action(async (opts: RecoverOptions) => {
      const settings = config();
      const path = resolve(opts.out ?? join(settings.dataDir, RECOVERY_TOKEN_FILE));
      const db = await openDatabase(settings);
      try {
        await requireSchema(db);
        const recovery = await recoverAdmin(
          { db, clock: systemClock, config: settings, userAgent: `${CLI_USER_AGENT} admin recover` },
          {
            username: opts.user,
            expiresInDays: opts.expiresInDays,
            destination: opts.print ? 'printed' : `written to ${path}`,
            handOver: opts.print ? async (token) => out(token) : (token) => writeSecretFile(path, token),
          },
        );
        if (opts.print) return;
        const enabled = recovery.reEnabled ? ' (re-enabled)' : '';
        const expires = recovery.expiresAt?.toISOString() ?? 'never';
        out(
          `recovered ${recovery.user.username}${enabled}: token ${recovery.patId}, expires ${expires}, in ${path}`,
        );
      } catch (error) {
        if (error instanceof ApiProblem) throw new CliError(error.message, exitCodeForStatus(error.status));
        throw error;
      } finally {
        await db.close();
      }
    });
}
