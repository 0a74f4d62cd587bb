/**
 * An external OIDC token as the subject of an exchange (docs/design.md, "Federated subject
 * tokens"): its issuer's policies are looked up first (an issuer no policy names is never
 * contacted), the token is verified against the issuer's keys, exactly one policy must match,
 * and the policy's user must be usable. Every refusal is the PAT path's one `invalid_request`;
 * the cause and what the token claimed go to the audit row.
 */
import type { JWTPayload } from 'jose';
import type { Clock } from '../clock.js';
import type { FederationConfig } from '../config.js';
import type { Queryable } from '../db/queryable.js';
import { type IssuerKeys, IssuerUnavailable } from '../federation/issuer-keys.js';
import { audienceContains, choosePolicy, type TrustPolicy } from '../federation/policy.js';
import type { IssuerPolicyLookup } from '../federation/policy-lookup.js';
import { audienceText, closestPolicy } from '../federation/refusal.js';
import { claimTokenUse, type IssuerPolicy } from '../federation/repository.js';
import { FederationRefusal, peekToken, verifyExternalToken } from '../federation/verify.js';
import { invalidSubjectToken } from './denial.js';
import type { FederatedFacts } from './outcome.js';
import { type ExchangeSubject, SubjectDenied } from './subject.js';

/** The issuer cannot be reached: 503 `temporarily_unavailable`, audited with what the token claimed. */
export class FederationUnavailable extends Error {
  override name = 'FederationUnavailable';
  constructor(
    readonly reason: string,
    readonly facts: FederatedFacts,
  ) {
    super(reason);
  }
}

export interface FederatedSubjectDeps {
  db: Queryable;
  /** The policies of an issuer, batched per turn. */
  policies: IssuerPolicyLookup;
  clock: Clock;
  issuerKeys: IssuerKeys;
  federation: FederationConfig;
}

function refusal(
  error: FederationRefusal,
  federation: FederatedFacts,
  audience: string | null,
  userId: string | null = null,
) {
  if (error.code) federation.refusal = { code: error.code, audience, closest: error.closest };
  return new SubjectDenied(invalidSubjectToken(error.message), { userId, federation });
}

function pickPolicy<P extends TrustPolicy>(policies: P[], payload: JWTPayload, named: string | undefined) {
  if (!policies.some((p) => audienceContains(payload.aud, p.audience))) {
    throw new FederationRefusal(
      'audience matches no trust policy of the issuer',
      'audience_mismatch',
      closestPolicy(policies, payload),
    );
  }
  const choice = choosePolicy(policies, payload, named);
  if (choice.kind === 'matched') return choice;
  if (choice.kind === 'ambiguous')
    throw new FederationRefusal(`several trust policies match: ${choice.names.join(', ')}`, 'ambiguous');
  if (choice.kind === 'named_not_matching')
    throw new FederationRefusal(
      'the named trust_policy does not match the token',
      'no_policy_matched',
      closestPolicy(
        policies.filter((p) => p.name === named),
        payload,
      ),
    );
  throw new FederationRefusal(
    'no trust policy matches the token claims',
    'no_policy_matched',
    closestPolicy(policies, payload),
  );
}

/** Verifies `token` and finds its one policy; throws SubjectDenied (or IssuerUnavailable). */
export async function authenticateFederated(
  deps: FederatedSubjectDeps,
  token: string,
  named: string | undefined,
): Promise<ExchangeSubject> {
  const facts: FederatedFacts = {
    trustPolicyId: null,
    issuer: null,
    subject: null,
    tokenId: null,
    matchedClaims: null,
  };
  let audience: string | null = null;
  try {
    const peeked = peekToken(token);
    Object.assign(facts, { issuer: peeked.iss, subject: peeked.sub, tokenId: peeked.jti });
    audience = peeked.aud;
    const iss = peeked.iss;
    const policies = iss ? await deps.policies.find(iss) : [];
    // Not in the refusal trail (code null): the issuer is the caller's to choose, a row per name would be theirs to write.
    if (!iss || policies.length === 0) throw new FederationRefusal('unknown issuer', null);
    const now = deps.clock();
    const payload = await verifyExternalToken(token, { ...peeked, iss }, deps.issuerKeys, {
      now,
      maxTokenAgeSeconds: deps.federation.maxTokenAgeSeconds,
    });
    const { policy, matchedClaims } = pickPolicy(policies, payload, named);
    Object.assign(facts, { trustPolicyId: policy.id, matchedClaims });
    return policySubject(deps, policy, payload, facts);
  } catch (error) {
    if (error instanceof FederationRefusal) throw refusal(error, facts, audience);
    if (error instanceof IssuerUnavailable) {
      facts.refusal = { code: 'issuer_unreachable', audience, closest: null };
      throw new FederationUnavailable(error.message, facts);
    }
    throw error;
  }
}

function policySubject(
  deps: FederatedSubjectDeps,
  policy: IssuerPolicy,
  payload: JWTPayload,
  facts: FederatedFacts,
): ExchangeSubject {
  const entitlements = policy.user_entitlements;
  if (!entitlements)
    throw new FederationRefusal('the trust policy’s user is disabled or deleted', 'policy_user_unusable');
  if (policy.single_use && typeof payload.jti !== 'string') {
    const differing = { claim: 'jti', expected: 'present (single_use)', got: null };
    throw new FederationRefusal('single-use trust policy and the token has no jti', 'no_policy_matched', {
      policyId: policy.id,
      policyName: policy.name,
      differing,
    });
  }
  const userId = policy.user_id;
  const { iss, sub, jti, exp } = payload as { iss: string; sub?: string; jti: string; exp: number };
  return {
    userId,
    credentialId: policy.id,
    entitlements,
    heldScopes: policy.scopes,
    allowedAudiences: policy.audiences,
    maxLifetime: policy.max_ttl_seconds,
    claims: { trust_policy_id: policy.id, src: { iss, sub: sub ?? null } },
    facts: { userId, federation: facts },
    requireDpop: policy.require_dpop,
    // Claimed last, just before the JWT is issued, so a refused target or scope does not use the token up.
    beforeIssue: policy.single_use
      ? () => claimSingleUse(deps, { iss, jti, exp, audience: audienceText(payload.aud) }, facts, userId)
      : undefined,
  };
}

async function claimSingleUse(
  deps: FederatedSubjectDeps,
  token: { iss: string; jti: string; exp: number; audience: string | null },
  facts: FederatedFacts,
  userId: string,
) {
  if (!(await claimTokenUse(deps.db, token.iss, token.jti, new Date(token.exp * 1000), deps.clock()))) {
    const replayed = new FederationRefusal('token already used (single_use)', 'replayed');
    throw refusal(replayed, facts, token.audience, userId);
  }
}
