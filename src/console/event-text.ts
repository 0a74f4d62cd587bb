/**
 * A trail row in words, as the token page shows it (pure): what happened ("created", "granted",
 * "denied (expired)"), who acted in a delegated exchange, and ids replaced by names.
 */
import type { AuditRow } from '../audit/trail.js';
import { type Actor, actorChain, readActClaim } from '../delegation/act-chain.js';

/** Actions whose success is an access decision; the others are changes, read by their verb. */
const DECISIONS = new Set(['token.exchanged', 'api.authenticated', 'console.signed_in']);

export function outcomeText(row: Pick<AuditRow, 'action' | 'outcome' | 'reason'>): string {
  if (row.outcome === 'failure') return `denied${row.reason ? ` (${row.reason})` : ''}`;
  if (DECISIONS.has(row.action)) return 'granted';
  return (row.action.split('.').at(-1) ?? row.action).replace(/_/g, ' ');
}

/** A name for an id (a user, trust policy or token), and a link for a token. */
export interface Named {
  name: string;
  kind: 'user' | 'trust_policy' | 'pat';
}
export type Names = ReadonlyMap<string, Named>;

/** The stored `act` claim as a list of actors, current first (empty when not delegated). */
export function chainOf(stored: unknown): Actor[] {
  const act = stored ? readActClaim(stored, 16) : undefined;
  return act && act !== 'malformed' ? actorChain(act) : [];
}

/** One actor: a user by username; a workload by its external `sub` and its trust policy's name. */
export function actorText(actor: Actor, names: Names): string {
  if (actor.trust_policy_id) {
    const policy = names.get(actor.trust_policy_id)?.name ?? actor.trust_policy_id;
    return `${actor.sub} (trust policy ${policy})`;
  }
  return names.get(actor.sub)?.name ?? actor.sub;
}

/**
 * The delegation on a row, seen from the token page: on the subject PAT's page "acted for you by
 * B" (and the earlier actors of a chain), on the actor PAT's page "acted for A". Null otherwise.
 */
export function delegationText(row: AuditRow, names: Names, owner: string): string | null {
  if (row.acted_for) return `acted for ${names.get(row.acted_for)?.name ?? row.acted_for}`;
  const chain = chainOf(row.actor_chain);
  const [current, ...earlier] = chain;
  if (!current) return null;
  const by = `acted for ${owner} by ${actorText(current, names)}`;
  return earlier.length
    ? `${by}, on behalf of ${earlier.map((a) => actorText(a, names)).join(', on behalf of ')}`
    : by;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Every id a row mentions, so the page can look their names up in one query. */
export function idsOf(row: AuditRow): string[] {
  const ids = [...(row.reason?.match(UUID) ?? [])];
  if (row.acted_for) ids.push(row.acted_for);
  for (const actor of chainOf(row.actor_chain)) ids.push(actor.trust_policy_id ?? actor.sub);
  return ids;
}

/** A reason split into text and ids, so the view can render names (and links) in place of ids. */
export function reasonParts(reason: string): Array<{ text: string } | { id: string }> {
  const parts: Array<{ text: string } | { id: string }> = [];
  let at = 0;
  for (const match of reason.matchAll(UUID)) {
    if (match.index > at) parts.push({ text: reason.slice(at, match.index) });
    parts.push({ id: match[0].toLowerCase() });
    at = match.index + match[0].length;
  }
  if (at < reason.length) parts.push({ text: reason.slice(at) });
  return parts;
}
