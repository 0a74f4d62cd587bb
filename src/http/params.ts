/**
 * Path and paging parameters every list and item route reads, on `/api/v1` and the console alike:
 * cursors are the server's own (db/keyset.ts), so anything else is a 400 naming `cursor`.
 */
import { z } from 'zod';
import type { TrailPosition } from '../audit/trail.js';
import { decodeCursor, decodeTrailCursor } from '../db/keyset.js';
import { notFound } from '../errors.js';

/** Path ids are UUIDs; anything else cannot name a row, so it is a 404 like an unknown id. */
export function pathId(value: string | undefined, what: string): string {
  if (!value || !z.uuid().safeParse(value).success) throw notFound(what);
  return value;
}

/** A keyset page of a list (tokens, users, policies, endpoints). */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .transform((cursor, ctx) => {
      const position = decodeCursor(cursor);
      if (!position) ctx.addIssue({ code: 'custom', message: 'not a cursor this server issued' });
      return position ?? z.NEVER;
    })
    .optional(),
};

/** A page of a token's audit trail, newest first. */
export const eventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z
    .string()
    .max(64)
    .transform((cursor, ctx) => {
      const position: TrailPosition | null = decodeTrailCursor(cursor);
      if (!position) ctx.addIssue({ code: 'custom', message: 'not a cursor this server issued' });
      return position ?? z.NEVER;
    })
    .optional(),
});
