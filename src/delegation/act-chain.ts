/**
 * The `act` claim (RFC 8693 §4.1): the current actor at the top, each earlier actor nested in
 * the one before. Only the outermost `act` says who acts now; the nested ones are history.
 */

/** One actor: a Tessera user (`sub` = user id), or a workload through a trust policy. */
export interface ActClaim {
  sub: string;
  /** The external issuer, for an actor accepted through a trust policy. */
  iss?: string;
  trust_policy_id?: string;
  act?: ActClaim;
}

export type Actor = Omit<ActClaim, 'act'>;

/** `current` acting on a subject that `previous` (if any) already acted on. */
export function nestAct(current: Actor, previous: ActClaim | undefined): ActClaim {
  return previous ? { ...current, act: previous } : { ...current };
}

/** The actors, current first. */
export function actorChain(act: ActClaim | undefined): Actor[] {
  const chain: Actor[] = [];
  for (let hop = act; hop; hop = hop.act) {
    const { act: _nested, ...actor } = hop;
    chain.push(actor);
  }
  return chain;
}

export const actDepth = (act: ActClaim | undefined) => actorChain(act).length;

const isActor = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * An `act` claim of a token Tessera issued (already verified), rebuilt field by field. Anything
 * of another shape is refused by the caller: Tessera never issues one.
 */
export function readActClaim(value: unknown, maxDepth: number): ActClaim | undefined | 'malformed' {
  if (value === undefined) return undefined;
  if (!isActor(value) || typeof value.sub !== 'string') return 'malformed';
  if (maxDepth <= 0) return 'malformed';
  const claim: ActClaim = { sub: value.sub };
  if (typeof value.iss === 'string') claim.iss = value.iss;
  if (typeof value.trust_policy_id === 'string') claim.trust_policy_id = value.trust_policy_id;
  const nested = readActClaim(value.act, maxDepth - 1);
  if (nested === 'malformed') return 'malformed';
  if (nested) claim.act = nested;
  return claim;
}
