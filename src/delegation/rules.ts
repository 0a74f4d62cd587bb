/**
 * The delegation rules of one exchange with an actor (DESIGN.md, "Delegation: actor tokens"),
 * as one pure step the grant calls once both tokens are authenticated:
 * consent (the subject's `may_act` names the actor), the depth cap, and the narrowing of scope
 * and lifetime. A refusal is a reason for the audit trail; the client sees the one fixed text.
 */
import { type ActClaim, type Actor, actDepth, nestAct } from './act-chain.js';
import { type ActorPrincipal, consentFor, type MayAct } from './may-act.js';
import { mayActOutside, scopesWithinEntry, shortestLifetime } from './narrowing.js';

/** The trail's word for an actor the subject did not name, or whose credential is unusable. */
export const ACTOR_NOT_PERMITTED = 'actor_not_permitted';

export interface DelegationSubject {
  /** The subject's consent: its PAT's `may_act`, or the subject JWT's `may_act` claim. */
  mayAct: MayAct | null;
  /** What the subject holds (its PAT's scopes, or the subject JWT's `scope`). */
  heldScopes: readonly string[];
  /** Seconds the subject has left; null: unbounded. */
  maxLifetime: number | null;
  /** The subject JWT's own `act`: the actors before this one. */
  act?: ActClaim | undefined;
}

export interface DelegationActor {
  principal: ActorPrincipal;
  /** What the new `act` says about it. */
  claim: Actor;
  /** Seconds the actor's own credential has left; null: unbounded. */
  maxLifetime: number | null;
}

export type Delegation =
  | { granted: true; act: ActClaim; heldScopes: string[]; maxLifetime: number | null }
  | { granted: false; reason: string };

export function delegate(subject: DelegationSubject, actor: DelegationActor, maxDepth: number): Delegation {
  const entry = consentFor(subject.mayAct, actor.principal);
  if (!entry) return { granted: false, reason: `${ACTOR_NOT_PERMITTED}: not in the subject's may_act` };
  const act = nestAct(actor.claim, subject.act);
  if (actDepth(act) > maxDepth) {
    return { granted: false, reason: `actor chain deeper than exchange.maxActorDepth (${maxDepth})` };
  }
  return {
    granted: true,
    act,
    heldScopes: scopesWithinEntry(subject.heldScopes, entry),
    // Never outlives the subject, nor the credential of the one acting with it.
    maxLifetime: shortestLifetime(subject.maxLifetime, actor.maxLifetime),
  };
}

/**
 * The `may_act` a request asks to be put in the new JWT: null when none was asked for; the
 * list when every entry is within the subject's own; a reason otherwise.
 */
export function grantMayAct(
  requested: MayAct | undefined,
  held: MayAct | null,
): { mayAct: MayAct | null } | { reason: string } {
  if (!requested || requested.length === 0) return { mayAct: null };
  const outside = mayActOutside(requested, held);
  return outside ? { reason: outside } : { mayAct: requested };
}
