import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { lockDataDir } from './pglite-lock.js';
import type { Database, Queryable, QueryResult } from './queryable.js';

function wrap(client: PGlite | Transaction): Queryable {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await client.query<Row>(sql, params as unknown[]);
      // PGlite reports affectedRows 0 for a SELECT: count rows whenever the statement returns any.
      const returnsRows = result.fields.length > 0;
      return { rows: result.rows, rowCount: returnsRows ? result.rows.length : (result.affectedRows ?? 0) };
    },
    async exec(sql: string) {
      await client.exec(sql);
    },
  };
}

/**
 * The embedded database: real PostgreSQL compiled to WASM, in-process, one connection.
 * `dataDir` is a directory, or `memory://` for a throwaway instance. One data directory must
 * never be opened by two processes at once.
 */
export async function openPgliteDatabase(dataDir: string, loadDataDir?: Blob): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const unlock = inMemory ? () => {} : lockDataDir(dataDir);
  let db: PGlite;
  try {
    db = await PGlite.create({ dataDir, ...(loadDataDir ? { loadDataDir } : {}) });
  } catch (error) {
    unlock();
    throw error;
  }
  const base = wrap(db);
  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec,
    // PGlite serialises everything on its single connection, so a transaction excludes
    // every other query until it ends.
    transaction: (work) => db.transaction((tx) => work(wrap(tx))),
    async close() {
      await db.close();
      unlock();
    },
  };
}
