/**
 * Delegation as one step of the grant: given the authenticated subject and (when sent) actor,
 * the subject the JWT is issued for, narrowed, with `act` and `may_act` among its claims.
 */
import { INVALID_SUBJECT_TOKEN } from '../exchange/constants.js';
import { invalidRequest } from '../exchange/denial.js';
import type { ExchangeSubject } from '../exchange/subject.js';
import type { AuthenticatedActor } from './actor.js';
import type { MayAct } from './may-act.js';
import { delegate, grantMayAct } from './rules.js';

const both = (a?: () => Promise<void>, b?: () => Promise<void>) =>
  a || b
    ? async () => {
        await a?.();
        await b?.();
      }
    : undefined;

export function applyDelegation(
  subject: ExchangeSubject,
  actor: AuthenticatedActor | undefined,
  requestedMayAct: MayAct | undefined,
  maxDepth: number,
): ExchangeSubject {
  // No act stripping: a Tessera JWT (with or without act) is a subject only with an actor.
  if (subject.isJwt && !actor) {
    throw invalidRequest(INVALID_SUBJECT_TOKEN, 'a Tessera JWT is a subject only with an actor_token');
  }
  const mayAct = grantMayAct(requestedMayAct, subject.mayAct ?? null);
  if ('reason' in mayAct) throw invalidRequest('may_act exceeds the subject token’s own', mayAct.reason);
  const withMayAct = mayAct.mayAct ? { may_act: mayAct.mayAct } : {};
  if (!actor) return { ...subject, claims: { ...subject.claims, ...withMayAct } };

  const delegation = delegate(
    {
      mayAct: subject.mayAct ?? null,
      heldScopes: subject.heldScopes,
      maxLifetime: subject.maxLifetime,
      act: subject.act,
    },
    actor,
    maxDepth,
  );
  if (!delegation.granted) throw invalidRequest(INVALID_SUBJECT_TOKEN, delegation.reason);
  return {
    ...subject,
    heldScopes: delegation.heldScopes,
    maxLifetime: delegation.maxLifetime,
    claims: { ...subject.claims, act: delegation.act, ...withMayAct },
    facts: { ...subject.facts, actorChain: delegation.act, actorPatId: actor.patId },
    beforeIssue: both(subject.beforeIssue, actor.beforeIssue),
    afterGrant: both(subject.afterGrant, actor.afterGrant),
  };
}
