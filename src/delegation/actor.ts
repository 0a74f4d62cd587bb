/**
 * The actor of an exchange (RFC 8693 §2.1 `actor_token`): a Tessera PAT, or an external token
 * accepted through a trust policy. Its credential must be usable by the same rules as a subject;
 * any failure is the one fixed `invalid_request`, and the trail says `actor_not_permitted`.
 */
import { ExchangeDenied, invalidSubjectToken } from '../exchange/denial.js';
import type { ExchangeSubject } from '../exchange/subject.js';
import { claimsTesseraIssuer } from './jwt-subject.js';
import type { ActorToken } from './request.js';
import type { DelegationActor } from './rules.js';
import { ACTOR_NOT_PERMITTED } from './rules.js';

export interface AuthenticatedActor extends DelegationActor {
  /** The actor's PAT, so the exchange shows on its trail too. */
  patId: string | null;
  /** The actor's own credential demands a DPoP proof (RFC 9449): it binds what it helps mint. */
  requireDpop?: boolean | undefined;
  beforeIssue?: (() => Promise<void>) | undefined;
  afterGrant?: (() => Promise<void>) | undefined;
}

export interface ActorAuthDeps {
  issuer: string;
  authenticatePat: (token: string) => Promise<ExchangeSubject>;
  authenticateFederated: (token: string) => Promise<ExchangeSubject>;
}

/** The actor's credential did not authenticate: the one fixed description, a failed credential. */
export const actorRefused = (detail: string) => invalidSubjectToken(`${ACTOR_NOT_PERMITTED}: ${detail}`);

async function patActor(deps: ActorAuthDeps, token: string): Promise<AuthenticatedActor> {
  const pat = await deps.authenticatePat(token);
  return {
    principal: { kind: 'user', userId: pat.userId },
    claim: { sub: pat.userId },
    maxLifetime: pat.maxLifetime,
    patId: pat.credentialId,
    requireDpop: pat.requireDpop,
    afterGrant: pat.afterGrant,
  };
}

async function federatedActor(deps: ActorAuthDeps, token: string): Promise<AuthenticatedActor> {
  // A Tessera JWT is never an actor: an actor presents its own credential, not a delegated one.
  if (claimsTesseraIssuer(token, deps.issuer)) throw actorRefused('a Tessera JWT is not an actor credential');
  const workload = await deps.authenticateFederated(token);
  const src = workload.claims.src as { iss: string; sub: string | null };
  if (!src.sub) throw actorRefused('external actor token has no sub');
  return {
    principal: { kind: 'trust_policy', trustPolicyId: workload.credentialId },
    claim: { sub: src.sub, iss: src.iss, trust_policy_id: workload.credentialId },
    maxLifetime: workload.maxLifetime,
    patId: null,
    requireDpop: workload.requireDpop,
    beforeIssue: workload.beforeIssue,
  };
}

/** Authenticates the actor; any refusal becomes `actor_not_permitted` with its cause. */
export async function authenticateActor(deps: ActorAuthDeps, actor: ActorToken): Promise<AuthenticatedActor> {
  try {
    return actor.kind === 'pat' ? await patActor(deps, actor.token) : await federatedActor(deps, actor.token);
  } catch (error) {
    if (!(error instanceof ExchangeDenied) || error.reason.startsWith(ACTOR_NOT_PERMITTED)) throw error;
    throw actorRefused(error.reason);
  }
}
