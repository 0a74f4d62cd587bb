import { join } from 'node:path';
import type { Config } from '../config.js';
import { openPgDatabase } from './pg.js';
import { openPgliteDatabase } from './pglite.js';
import type { Database } from './queryable.js';

/** PostgreSQL when `DATABASE_URL` is set, else the embedded PGlite under the data directory. */
export function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'database'>,
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
  return openPgliteDatabase(join(config.dataDir, 'pglite'));
}
