/**
 * Keyset pagination over `(created_at DESC, id DESC)`: a cursor is the position of the last
 * row of the previous page, opaque to clients (base64url JSON). Each page is one index range
 * scan, as fast on the last page as on the first.
 */
import { z } from 'zod';

export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/**
 * Year 0 is a valid ISO date but not one every driver sends the same way (PGlite refuses it,
 * `pg` turns it into 1 BC): no row was created before year 1, so no issued cursor names it.
 */
const cursorSchema = z.strictObject({
  t: z.iso.datetime().refine((t) => new Date(t).getUTCFullYear() >= 1),
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
