/**
 * A fresh, migrated database for one test file: PGlite in memory by default, or a new database
 * on the real PostgreSQL named by `TESSERA_TEST_DATABASE_URL` (CI starts one).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runMigrations } from '../../src/db/migrate.js';
import { openPgDatabase } from '../../src/db/pg.js';
import { openPgliteDatabase } from '../../src/db/pglite.js';
import type { Database } from '../../src/db/queryable.js';

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

/** An empty database; `migrate: false` leaves it without schema. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  let db: Database;
  let url: string | undefined;
  let drop = async () => {};
  if (testDatabaseUrl) {
    const name = `tessera_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    const target = new URL(testDatabaseUrl);
    target.pathname = `/${name}`;
    url = target.toString();
    db = openPgDatabase({ connectionString: url });
    drop = () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } else {
    db = await openPgliteDatabase('memory://');
  }
  if (options.migrate !== false) await runMigrations(db);
  return {
    db,
    url,
    async dispose() {
      await db.close().catch(() => {});
      await drop();
    },
  };
}
