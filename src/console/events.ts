/** A token's audit trail as the token page shows it: one page, newest first, with the API's cursors. */
import type { Context } from 'koa';
import { listPatEvents } from '../audit/trail.js';
import { encodeTrailCursor } from '../db/keyset.js';
import { eventsQuery } from '../http/params.js';
import { parseQuery } from '../http/parse.js';
import type { ConsoleDeps } from './context.js';

export async function eventsPage(deps: ConsoleDeps, ctx: Context, patId: string) {
  const query = parseQuery(ctx, eventsQuery);
  const rows = await listPatEvents(deps.db, patId, query.limit, query.cursor ?? null);
  const events = rows.slice(0, query.limit);
  const last = events.at(-1);
  return { events, nextCursor: rows.length > query.limit && last ? encodeTrailCursor(last) : null };
}
