import { join } from 'node:path';
import type { Config } from '../config.js';
import { openPgDatabase } from './pg.js';
import { openPgliteDatabase } from './pglite.js';
import type { Database } from './queryable.js';

/** PostgreSQL when `DATABASE_URL` is set, else the embedded PGlite under the data directory. */
export function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Database> {
  if (config.databaseUrl) return Promise.resolve(openPgDatabase({ connectionString: config.databaseUrl }));
  return openPgliteDatabase(join(config.dataDir, 'pglite'));
}
