/**
 * What one `/token` request ended as. The grant leaves a typed outcome on the request; the token
 * endpoint (oidc/token-audit.ts) turns it into exactly one audit row, counts a failed credential
 * and updates the metrics. Requests oidc-provider refuses before the grant runs have no outcome
 * there: the endpoint derives one from the error it rendered.
 */
import type { Context } from 'koa';
import type { ActClaim } from '../delegation/act-chain.js';

/** What the external token said, for federated exchanges (DESIGN.md, "Federated subject tokens"). */
export interface FederatedFacts {
  trustPolicyId: string | null;
  issuer: string | null;
  subject: string | null;
  tokenId: string | null;
  /** The claims the matched policy compared, with the token's values. */
  matchedClaims: Record<string, unknown> | null;
}

/** What the audit row says about an exchange, known as far as the checks got. */
export interface ExchangeFacts {
  clientId: string | null;
  patId?: string | null;
  userId?: string | null;
  audience?: string | null;
  scope?: string | null;
  jti?: string | null;
  federation?: FederatedFacts;
  /** The `act` claim issued (delegation/), current actor outermost. */
  actorChain?: ActClaim | null;
  /** The actor's PAT: the exchange is on its trail too. */
  actorPatId?: string | null;
}

export type ExchangeOutcome =
  | { kind: 'granted'; facts: ExchangeFacts }
  | {
      kind: 'denied';
      /** Internal: the audit trail and debug log only, never the response. */
      reason: string;
      facts: ExchangeFacts;
      /** A subject token or client credential that did not authenticate: counts against the caller's limit. */
      failedCredential: boolean;
    };

const OUTCOME = 'tesseraExchangeOutcome';

export function leaveOutcome(ctx: Context, outcome: ExchangeOutcome): void {
  ctx.state[OUTCOME] = outcome;
}

export function outcomeOf(ctx: Context): ExchangeOutcome | undefined {
  return ctx.state[OUTCOME] as ExchangeOutcome | undefined;
}
