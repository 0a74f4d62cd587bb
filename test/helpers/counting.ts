/** A real database that counts the statements reaching it, for tests of batching. */
import type { Queryable } from '../../src/db/queryable.js';

export interface CountingQueryable extends Queryable {
  /** Statements sent through `query` so far. */
  statements: number;
}

/** `db` itself, counting every `query` (not `exec`, which tests use for set-up). */
export function counting(db: Queryable): CountingQueryable {
  const counted: CountingQueryable = {
    statements: 0,
    query: ((sql, params, name) => {
      counted.statements++;
      return db.query(sql, params, name);
    }) as Queryable['query'],
    exec: (sql: string) => db.exec(sql),
  };
  return counted;
}
