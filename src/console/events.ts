/**
 * A token's audit trail as the token page shows it: one page, newest first, with the API's
 * cursors, and the names of the users, policies and tokens its rows mention.
 */
import type { Context } from 'koa';
import { listPatEvents } from '../audit/trail.js';
import { encodeTrailCursor } from '../db/keyset.js';
import { eventsQuery } from '../http/params.js';
import { parseQuery } from '../http/parse.js';
import type { ConsoleDeps } from './context.js';
import { idsOf } from './event-text.js';
import { namesOf } from './names.js';

export async function eventsPage(deps: ConsoleDeps, ctx: Context, patId: string, patOwner: string) {
  const query = parseQuery(ctx, eventsQuery);
  // Exchange rows wait in a batch; whoever just ran a job expects to see that exchange here.
  await deps.flushAudit();
  const rows = await listPatEvents(deps.db, patId, query.limit, query.cursor ?? null);
  const events = rows.slice(0, query.limit);
  const last = events.at(-1);
  const names = await namesOf(deps.db, events.flatMap(idsOf), patOwner);
  return {
    events,
    names,
    nextCursor: rows.length > query.limit && last ? encodeTrailCursor(last) : null,
  };
}
