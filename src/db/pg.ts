import pg from 'pg';
import type { Database, Queryable, QueryResult } from './queryable.js';

export interface PgOptions {
  connectionString: string;
  max?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = [], name?: string): Promise<QueryResult<Row>> {
      const result = await client.query({
        text: sql,
        values: params as unknown[],
        ...(name ? { name } : {}),
      });
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

/** A `pg` Pool behind the `Database` interface (used when `DATABASE_URL` is set). */
export function openPgDatabase(options: PgOptions): Database {
  const statementTimeout = options.statementTimeoutMs ?? 1500;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 1500,
    statement_timeout: statementTimeout,
    // The client gives up a little after the server would have, e.g. when the network is gone.
    query_timeout: statementTimeout + 500,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const base = wrap(pool);
  return {
    kind: 'pg',
    query: base.query,
    exec: base.exec,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
