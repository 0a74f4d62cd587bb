/**
 * What one `/token` request ended as. The grant (grant.ts) returns an ExchangeOutcome; a request
 * oidc-provider refused before the grant ran is a ProviderRefusal. The token endpoint records
 * either (oidc/token-audit.ts: one audit row, the metrics) and asks `isFailedCredential` here,
 * the one place that decides what counts against the caller's failed-credential limit.
 */
import type { errors } from 'oidc-provider';
import type { ActClaim } from '../delegation/act-chain.js';
import type { RefusalFacts } from '../federation/refusal.js';

/** An OAuth error as oidc-provider renders it (RFC 6749 §5.2). */
export type OAuthError = InstanceType<typeof errors.OIDCProviderError> & { error_detail?: string };

/** What the external token said, for federated exchanges (docs/design.md, "Federated subject tokens"). */
export interface FederatedFacts {
  trustPolicyId: string | null;
  issuer: string | null;
  subject: string | null;
  tokenId: string | null;
  /** The claims the matched policy compared, with the token's values. */
  matchedClaims: Record<string, unknown> | null;
  /** Why it was refused, for the refusal trail (federation/refusal.ts); absent when granted. */
  refusal?: RefusalFacts | null;
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
  /** The verified DPoP proof's key thumbprint (RFC 9449 §6.1). */
  dpopJkt?: string | null;
}

/** RFC 8693 §2.2.1 successful response. */
export interface ExchangeResponse {
  access_token: string;
  issued_token_type: string;
  // DPoP when the JWT is bound to a proof's key (RFC 9449 §5).
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope: string;
}

/**
 * Why an exchange was denied. `subject_token`: the presented credential did not authenticate;
 * `request`: a well-authenticated request asked for something it may not have; `unavailable`:
 * something the exchange needs (database, external issuer) is away.
 */
export type DenialCause = 'subject_token' | 'request' | 'unavailable';

export type ExchangeOutcome =
  | { kind: 'granted'; facts: ExchangeFacts; response: ExchangeResponse }
  | {
      kind: 'denied';
      cause: DenialCause;
      /** Internal: the audit trail and debug log only, never the response. */
      reason: string;
      facts: ExchangeFacts;
      /** What the client is sent. */
      error: OAuthError;
    };

/** A `/token` request oidc-provider (or the endpoint) refused before any grant ran. */
export interface ProviderRefusal {
  kind: 'refused';
  /** The rendered OAuth `error` (or `http_<status>`). */
  code: string;
  reason: string;
  facts: ExchangeFacts;
}

export type TokenOutcome = ExchangeOutcome | ProviderRefusal;

/**
 * A subject token or a client credential that did not authenticate: counted against the
 * caller's failed-credential limit, and past it answered 429 (limits/rate-limits.ts).
 */
export function isFailedCredential(outcome: TokenOutcome): boolean {
  if (outcome.kind === 'denied') return outcome.cause === 'subject_token';
  if (outcome.kind === 'refused') return outcome.code === 'invalid_client';
  return false;
}
