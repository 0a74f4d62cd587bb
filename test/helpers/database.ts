/**
 * A fresh, migrated database for one test file: PGlite in memory by default, or a new database
 * on the real PostgreSQL named by `TESSERA_TEST_DATABASE_URL` (CI starts one). Both start from
 * the migrated copy that jest's global setup made once for the run (snapshot.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { runMigrations } from '../../src/db/migrate.js';
import { openPgDatabase } from '../../src/db/pg.js';
import { openPgliteDatabase } from '../../src/db/pglite.js';
import type { Database } from '../../src/db/queryable.js';
import { pgliteEmptySnapshotPath, pgliteSnapshotPath, pgTemplateName } from './snapshot.js';

export const testDatabaseUrl = process.env.TESSERA_TEST_DATABASE_URL;
export const databaseKind: 'pg' | 'pglite' = testDatabaseUrl ? 'pg' : 'pglite';

export interface TestDatabase {
  db: Database;
  /** Set for PostgreSQL: the URL of this test file's own database. */
  url: string | undefined;
  /** Closes and (on PostgreSQL) drops the database. */
  dispose(): Promise<void>;
}

async function adminQuery(sql: string) {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function templateExists(): Promise<boolean> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [pgTemplateName]);
    return found.rowCount === 1;
  } finally {
    await client.end();
  }
}

/**
 * A database of this test file's own. `migrate: false` leaves it empty (no schema); otherwise it
 * is a copy of the run's migrated snapshot, or migrated here when there is none (a file run
 * outside jest's global setup).
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrate = options.migrate !== false;
  let db: Database;
  let url: string | undefined;
  let drop = async () => {};
  let copied = false;
  if (testDatabaseUrl) {
    const name = `tessera_test_${randomBytes(6).toString('hex')}`;
    copied = migrate && (await templateExists());
    await adminQuery(`CREATE DATABASE ${name}${copied ? ` TEMPLATE ${pgTemplateName}` : ''}`);
    const target = new URL(testDatabaseUrl);
    target.pathname = `/${name}`;
    url = target.toString();
    db = openPgDatabase({ connectionString: url });
    drop = () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } else {
    // Empty or migrated, a dump loads in a fraction of what initdb takes.
    const from = migrate ? pgliteSnapshotPath : pgliteEmptySnapshotPath;
    const snapshot = existsSync(from) ? new Blob([readFileSync(from)]) : undefined;
    copied = migrate && snapshot !== undefined;
    db = await openPgliteDatabase('memory://', snapshot);
  }
  if (migrate && !copied) await runMigrations(db);
  return {
    db,
    url,
    async dispose() {
      await db.close().catch(() => {});
      await drop();
    },
  };
}
