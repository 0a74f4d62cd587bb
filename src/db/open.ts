import { join } from 'node:path';
import type { Config } from '../config.js';
import { openPgDatabase } from './pg.js';
import { openPgliteDatabase } from './pglite.js';
import type { Database } from './queryable.js';

/** PostgreSQL when `DATABASE_URL` is set, else the embedded PGlite under the data directory. */
export function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'database'>,
  /** Where a loose-permission warning goes when `database.allowLoosePermissions` is set. */
  warn: (message: string) => void = (message) => process.emitWarning(message),
): Promise<Database> {
  if (config.databaseUrl) {
    return Promise.resolve(
      openPgDatabase({
        connectionString: config.databaseUrl,
        max: config.database.poolSize,
        connectTimeoutMs: config.database.connectTimeoutMs,
        statementTimeoutMs: config.database.statementTimeoutMs,
      }),
    );
  }
  const warnings: string[] = [];
  const permissions = { allowLoosePermissions: config.database.allowLoosePermissions, warnings };
  return openPgliteDatabase(join(config.dataDir, 'pglite'), undefined, permissions).then((db) => {
    for (const warning of warnings) warn(warning);
    return db;
  });
}
