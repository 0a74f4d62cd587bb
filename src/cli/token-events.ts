/** `tessera token events <id>` (and `admin events`): a PAT's audit trail, newest first. */
import type { Command } from 'commander';
import type { z } from 'zod';
import type { auditEventSchema } from '../api/response-schemas.js';
import { type ApiClient, type Page, queryString } from './client.js';
import { printJson, relativeTime, shortId } from './format.js';
import { resolveOwnToken } from './resolve-id.js';
import { formatTable } from './table.js';

/** One event of a trail, as the API answers it. */
export type EventView = z.output<typeof auditEventSchema>;

/** Who acted: their username, or the start of their id once the user is gone. */
export const actorCell = (actor: EventView['actor']) =>
  actor?.username ?? (actor ? actor.id.slice(0, 8) : '-');

/**
 * An event's DETAIL, short enough for a table (`--json` has it whole): who acted (current actor
 * first; a user's short id, a workload's external `sub`) or for whom, why it failed, which DPoP
 * key, then `rest`. Who comes before why: the reason is long, and a narrow table cuts the end.
 * A PAT's trail and a trust policy's (trust-view.ts) say it alike.
 */
export function exchangeDetail(
  e: Pick<EventView, 'reason' | 'actor_chain' | 'acted_for' | 'dpop_jkt'>,
  ...rest: (string | null)[]
): string {
  const chain = e.actor_chain?.map((actor) => (actor.iss ? actor.sub : shortId(actor.sub)));
  // On the actor PAT's own trail the actor is this PAT's owner: whom it acted for is the news.
  const who = e.acted_for
    ? `acted for ${shortId(e.acted_for)}`
    : chain?.length
      ? `acted by ${chain.join(' for ')}`
      : '';
  const key = e.dpop_jkt ? `dpop ${e.dpop_jkt.slice(0, 8)}` : '';
  return [who, e.reason, key, ...rest].filter(Boolean).join('; ');
}

export function eventTable(events: EventView[], now: Date): string {
  return formatTable(
    ['TIME', 'ACTION', 'OUTCOME', 'ACTOR', 'IP', 'DETAIL'],
    events.map((e) => [
      relativeTime(e.time, now),
      e.action,
      e.outcome,
      actorCell(e.actor),
      e.ip ?? '-',
      exchangeDetail(e, e.audience, e.user_agent),
    ]),
    { shrinkable: ['DETAIL', 'ACTOR'] },
  );
}

/**
 * Prints one page of events; people are told how to get the next. `table` draws trails whose
 * events carry more than a token's (a trust policy's).
 */
export async function printEvents<E extends EventView = EventView>(
  api: ApiClient,
  path: string,
  opts: { limit?: string; cursor?: string; json?: boolean },
  out: (text: string) => void,
  table?: (events: E[], now: Date) => string,
) {
  const page = await api.request<Page<E>>(
    'GET',
    `${path}${queryString({ limit: opts.limit, cursor: opts.cursor })}`,
  );
  if (opts.json) return out(printJson(page));
  out(table ? table(page.items, new Date()) : eventTable(page.items, new Date()));
  if (page.next_cursor) out(`\nmore: --cursor ${page.next_cursor}`);
}

/** The options of every events command: one page at a time, as the API pages. */
export function addEventsOptions(command: Command): Command {
  return command
    .option('--limit <n>', 'events per page (1-100)', '20')
    .option('--cursor <cursor>', "the page after a previous page's next_cursor")
    .option('--json', 'print the API response');
}

export function registerTokenEventsCommand(
  token: Command,
  client: () => ApiClient,
  out: (text: string) => void,
) {
  addEventsOptions(
    token.command('events <id>').description("a token's audit trail: changes and exchanges, newest first"),
  ).action(async (input: string, opts: { limit?: string; cursor?: string; json?: boolean }) => {
    const api = client();
    const id = await resolveOwnToken(api, input);
    await printEvents(api, `/api/v1/tokens/${id}/events`, opts, out);
  });
}
