/**
 * First start on an empty database: create the `admin` user and one PAT for it, and hand the
 * PAT over in a file only the service's user can read. The token is never logged; the path is.
 */
import { chmod, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Database } from './db/queryable.js';
import type { Logger } from './logger.js';
import { createPat } from './pat/service.js';
import { countUsers } from './users/repository.js';
import { createUser } from './users/service.js';

export const BOOTSTRAP_TOKEN_FILE = 'bootstrap-admin-token';
const BOOTSTRAP_LOCK_KEY = 7_418_820_234;
/** `bootstrap-admin-token`, then `-2` ... `-20`; past that the start is refused. */
const MAX_TOKEN_FILES = 20;

/**
 * Writes the token to the first free file name, created exclusively (O_EXCL, which also refuses
 * a planted symlink). An existing file is another database's admin token (the same data directory
 * switched from PGlite to PostgreSQL, say): overwriting it would lose that token silently.
 */
async function writeTokenFile(dataDir: string, token: string): Promise<string> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  for (let n = 1; n <= MAX_TOKEN_FILES; n++) {
    const file = join(dataDir, n === 1 ? BOOTSTRAP_TOKEN_FILE : `${BOOTSTRAP_TOKEN_FILE}-${n}`);
    const handle = await open(file, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return null;
      throw error;
    });
    if (!handle) continue;
    try {
      await handle.writeFile(`${token}\n`);
    } finally {
      await handle.close();
    }
    await chmod(file, 0o600); // whatever the umask
    return file;
  }
  throw new Error(
    `${join(dataDir, BOOTSTRAP_TOKEN_FILE)} and ${MAX_TOKEN_FILES - 1} numbered copies exist: remove the ones no longer needed`,
  );
}

export interface BootstrapResult {
  userId: string;
  tokenFile: string;
  /** For tests: callers must not log it. */
  token: string;
}

/**
 * Creates the first administrator if the database has no users; null when it already had some.
 * User, PAT, audit rows and the token file succeed or fail together: the file is written
 * inside the transaction, so a failed write rolls the user back and the next start retries.
 */
export async function bootstrapAdmin(deps: {
  db: Database;
  clock: Clock;
  config: Config;
  logger: Logger;
}): Promise<BootstrapResult | null> {
  const { db, clock, config } = deps;
  const tokenFile = join(config.dataDir, BOOTSTRAP_TOKEN_FILE);
  const system = { userId: null, credentialScopes: null, meta: { ip: null, userAgent: 'tessera bootstrap' } };
  const result = await db.transaction(async (tx) => {
    // Two instances starting together against one PostgreSQL must not both bootstrap.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
    if ((await countUsers(tx)) > 0) return null;
    const admin = await createUser(
      { db, clock, scopes: config.scopes },
      { username: 'admin', entitlements: Object.keys(config.scopes), admin: true },
      null,
      tx,
    );
    const patContext = { db, clock, policy: config.tokens, scopes: config.scopes };
    const request = { name: 'bootstrap', scopes: admin.entitlements };
    const issued = await createPat(patContext, admin, request, system, tx);
    const written = await writeTokenFile(config.dataDir, issued.token);
    return { userId: admin.id, tokenFile: written, token: issued.token };
  });
  if (result && result.tokenFile !== tokenFile) {
    deps.logger.warn(
      { tokenFile: result.tokenFile, existing: tokenFile },
      `${tokenFile} already exists (another database's admin token?) and was left as it was; this database's first admin token is in ${result.tokenFile}`,
    );
  }
  if (result)
    deps.logger.info({ tokenFile: result.tokenFile }, 'created user admin; its first token is in this file');
  return result;
}
