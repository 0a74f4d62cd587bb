/**
 * The one storage interface. Repository functions take a `Queryable` as their first argument,
 * so the same function runs on the pool, inside a transaction, or on PGlite.
 */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  /**
   * One parameterised statement. `name` makes it a prepared statement on PostgreSQL (parsed and
   * planned once per connection): for the hot path only, and one fixed SQL text per name.
   */
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    name?: string,
  ): Promise<QueryResult<Row>>;
  /** A script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'pg' | 'pglite';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
