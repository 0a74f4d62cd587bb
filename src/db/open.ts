import { join } from 'node:path';
import type { Config } from '../config.js';
import { DatabaseConnectError } from './connect-error.js';
import { openPgDatabase } from './pg.js';
import { openPgliteDatabase } from './pglite.js';
import type { Database } from './queryable.js';

/**
 * PostgreSQL when `DATABASE_URL` is set, else the embedded PGlite under the data directory. The
 * pool connects lazily, so one statement here turns "unreachable" into an error that names the
 * database at start, instead of a bare driver message from the first migration.
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'database'>,
  /** Where a loose-permission warning goes when `database.allowLoosePermissions` is set. */
  warn: (message: string) => void = (message) => process.emitWarning(message),
): Promise<Database> {
  if (!config.databaseUrl) {
    const warnings: string[] = [];
    const permissions = { allowLoosePermissions: config.database.allowLoosePermissions, warnings };
    const db = await openPgliteDatabase(join(config.dataDir, 'pglite'), undefined, permissions);
    for (const warning of warnings) warn(warning);
    return db;
  }
  const db = openPgDatabase({
    connectionString: config.databaseUrl,
    max: config.database.poolSize,
    connectTimeoutMs: config.database.connectTimeoutMs,
    statementTimeoutMs: config.database.statementTimeoutMs,
  });
  try {
    await db.query('SELECT 1');
  } catch (error) {
    await db.close().catch(() => {});
    throw new DatabaseConnectError(config.databaseUrl, error);
  }
  return db;
}
