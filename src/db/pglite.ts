import { existsSync, mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { checkDataDirPermissions, type DataDirPolicy, tightenDataDir } from './data-dir-check.js';
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
export async function openPgliteDatabase(
  dataDir: string,
  loadDataDir?: Blob,
  permissions: DataDirPolicy = {},
): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) {
    // PGlite creates its files 0666 and directories 0777, less the umask: with a shell's 022
    // every local user could read the WAL. Owner-only for this process's files from here on.
    process.umask(0o077);
    if (existsSync(dataDir)) checkDataDirPermissions(dataDir, permissions);
    else mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  }
  const unlock = inMemory ? () => {} : lockDataDir(dataDir);
  let db: PGlite;
  try {
    db = await PGlite.create({ dataDir, ...(loadDataDir ? { loadDataDir } : {}) });
    if (!inMemory) tightenDataDir(dataDir);
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
      if (!inMemory) tightenDataDir(dataDir);
      unlock();
    },
  };
}
