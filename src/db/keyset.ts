/**
 * Keyset pagination over `(created_at DESC, id DESC)`: a cursor is the position of the last
 * row of the previous page, opaque to clients (base64url JSON). Each page is one index range
 * scan, as fast on the last page as on the first.
 */
import { z } from 'zod';
import { isStorableInstant } from './instant.js';

export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Only instants a row can have been created at (see instant.ts): year 0 is no cursor we issued. */
const cursorSchema = z.strictObject({
  t: z.iso.datetime().refine((t) => isStorableInstant(new Date(t))),
  id: z.uuid(),
});

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify({ t: position.createdAt.toISOString(), id: position.id })).toString(
    'base64url',
  );
}

/** The position a cursor names, or null when it is not one Tessera issued. */
export function decodeCursor(cursor: string): KeysetPosition | null {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? { createdAt: new Date(parsed.data.t), id: parsed.data.id } : null;
  } catch {
    return null;
  }
}

/** An audit trail's position: `occurred_at` and the row's bigint id (trails page by both). */
export interface TrailCursorPosition {
  at: Date;
  id: bigint;
}

const MAX_BIGINT = 9223372036854775807n;

/** Trail cursors are `<occurred_at ms>.<id>` in base64url. */
export const encodeTrailCursor = (row: { occurred_at: Date; id: string | bigint }) =>
  Buffer.from(`${row.occurred_at.getTime()}.${row.id}`).toString('base64url');

/**
 * The position a trail cursor names, or null when it is not one Tessera issued: every trail
 * (token, admin token, trust policy, console) decodes here, so a time no row can have (year
 * 10000, SQLSTATE 22009 on PGlite) is refused before any statement.
 */
export function decodeTrailCursor(cursor: string): TrailCursorPosition | null {
  const match = /^(\d{1,15})\.([1-9]\d{0,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return null;
  const at = new Date(Number(match[1]));
  const id = BigInt(match[2] as string);
  return id <= MAX_BIGINT && isStorableInstant(at) ? { at, id } : null;
}

/** Turns `limit + 1` fetched rows into a page and the cursor for the next one. */
export function toPage<Row extends { id: string; created_at: Date }, T>(
  rows: Row[],
  limit: number,
  present: (row: Row) => T,
): Page<T> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(present),
    next_cursor:
      rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}
