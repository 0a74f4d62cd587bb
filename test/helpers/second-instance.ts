/**
 * A second Tessera in this process, on the test server's database, keys and config: what two
 * instances behind one load balancer share. Its own services (limits, caches) are separate.
 */
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/queryable.js';
import { createLogger } from '../../src/logger.js';
import { startTessera, type Tessera } from '../../src/main.js';
import type { TestServer } from './server.js';
import { freePort } from './tessera-process.js';

export async function startSecondInstance(first: TestServer): Promise<Tessera> {
  const db = first.database.db;
  // The first server owns the database: the second must not close it when it stops.
  const shared: Database = {
    kind: db.kind,
    query: (sql, params, name) => db.query(sql, params, name),
    exec: (sql) => db.exec(sql),
    transaction: (work) => db.transaction(work),
    close: async () => {},
  };
  const config = loadConfig({
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    TESSERA_DATA_DIR: first.dataDir,
    TESSERA_KEYS_DIR: `${first.dataDir}/keys`,
    TESSERA_ISSUER: first.tessera.url,
    TESSERA_CONFIG: `${first.dataDir}/tessera.config.json`,
  });
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  return startTessera({ config, logger: createLogger('warn', quiet), db: shared });
}
