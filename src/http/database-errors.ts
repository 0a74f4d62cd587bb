/**
 * What a database error means for the request that caused it: one table for every door. The
 * API words it as problem+json (`api/http.ts`), the console as a page (`console/router.ts`).
 */
import { isDatabaseUnavailable } from '../db/unavailable.js';

/**
 * `unavailable`: the database cannot be reached (503, retry). `unstorable_text` and
 * `out_of_range`: PostgreSQL refused a value as data. Every value in a statement comes from a
 * parsed request, so these are the caller's input: a 400, never a 500.
 */
export type DatabaseRefusal = 'unavailable' | 'unstorable_text' | 'out_of_range';

/**
 * SQLSTATEs of class 22 ("data exception") that a value from a request can cause. The list is
 * closed: the rest of class 22 (division by zero, a null where none is allowed, ...) is a bug of
 * ours and stays a logged 500.
 */
const DATA_EXCEPTIONS = new Map<string, DatabaseRefusal>([
  ['22021', 'unstorable_text'], // character not in repertoire (a bad byte sequence)
  ['22P05', 'unstorable_text'], // untranslatable character (NUL)
  ['22001', 'out_of_range'], // string too long for its column
  ['22003', 'out_of_range'], // number out of range
  ['22007', 'out_of_range'], // invalid date/time format
  ['22008', 'out_of_range'], // date/time out of range (a cursor at year 0)
  ['22P02', 'out_of_range'], // invalid text representation (a uuid, an inet)
]);

/** The refusal `error` stands for, or null when it is a fault of ours (a logged 500). */
export function databaseRefusal(error: unknown): DatabaseRefusal | null {
  if (isDatabaseUnavailable(error)) return 'unavailable';
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? (DATA_EXCEPTIONS.get(code) ?? null) : null;
}
