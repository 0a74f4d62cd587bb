/**
 * Trust policies: which external tokens may be exchanged, for which Tessera user, with which
 * scopes (docs/design.md, "Federated subject tokens"). This module holds the rules as pure functions:
 * what a valid policy is, and which policies a verified token matches.
 */
import { secureUrlRefusal } from '../net/secure-url.js';
import { claimText, matchesPattern } from './pattern.js';

export interface TrustPolicy {
  id: string;
  name: string;
  issuer: string;
  audience: string;
  subject: string | null;
  /** Claim name -> accepted values or patterns (one of them must match). */
  claims: Record<string, string[]>;
  user_id: string;
  scopes: string[];
  audiences: string[];
  max_ttl_seconds: number;
  single_use: boolean;
  /** Exchanges through this policy need a DPoP proof (RFC 9449). */
  require_dpop: boolean;
  created_at: Date;
  created_by: string | null;
  updated_at: Date;
}

/** Claims a policy may not condition on: they are checked for every token already. */
export const RESERVED_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'sub'] as const;

/**
 * Why `issuer` cannot be trusted, or null: an issuer identifier has no query, fragment or
 * credentials (OpenID Connect Discovery 1.0 §2), and is called under the shared transport rule.
 */
export function issuerProblem(issuer: string): string | null {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'expected an absolute URL';
  }
  if (url.search || url.hash || url.username || url.password) {
    return 'expected an issuer URL without query, fragment or credentials';
  }
  if (secureUrlRefusal(url)) return 'expected an https URL (plain http only for loopback hosts)';
  return null;
}

/** The parts of a policy that decide which tokens it accepts. */
export type PolicyConditions = Pick<TrustPolicy, 'subject' | 'claims'>;

/** A policy with neither subject nor claim would accept every token of its issuer. */
export function hasConditions(policy: PolicyConditions): boolean {
  return policy.subject !== null || Object.keys(policy.claims).length > 0;
}

/** A pattern of only `*` (or empty) matches every value: as a condition it constrains nothing. */
export const isWildcardOnly = (pattern: string) => /^\**$/.test(pattern);

const sameIssuer = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/**
 * Why a policy would not constrain which tokens it accepts, per field: a subject or claim
 * pattern that matches anything, or Tessera's own issuer (its own JWTs would then exchange for
 * new ones without a PAT). Create and PATCH, and so the CLI and console, all pass through here.
 */
export function constraintProblems(
  policy: PolicyConditions & Pick<TrustPolicy, 'issuer'>,
  ownIssuer: string,
): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (sameIssuer(policy.issuer, ownIssuer)) {
    problems.push({ field: 'issuer', message: "must not be Tessera's own issuer" });
  }
  if (policy.subject !== null && isWildcardOnly(policy.subject)) {
    problems.push({ field: 'subject', message: 'matches every subject; name a value or a narrower pattern' });
  }
  for (const [name, accepted] of Object.entries(policy.claims)) {
    accepted.forEach((pattern, i) => {
      if (isWildcardOnly(pattern))
        problems.push({
          field: `claims.${name}[${i}]`,
          message: 'matches every value; name a narrower pattern',
        });
    });
  }
  return problems;
}

/**
 * The claims `policy` compared, with the token's values, when every condition holds; null when
 * one does not. A claim must be a string, number or boolean to match (a list or an object never
 * does), and the `aud` check is the caller's.
 */
export function matchConditions(
  policy: PolicyConditions,
  payload: Record<string, unknown>,
): Record<string, unknown> | null {
  const matched: Record<string, unknown> = {};
  if (policy.subject !== null) {
    const sub = claimText(payload.sub);
    if (sub === undefined || !matchesPattern(policy.subject, sub)) return null;
    matched.sub = sub;
  }
  for (const [name, accepted] of Object.entries(policy.claims)) {
    const value = Object.hasOwn(payload, name) ? claimText(payload[name]) : undefined;
    if (value === undefined || !accepted.some((pattern) => matchesPattern(pattern, value))) return null;
    matched[name] = payload[name];
  }
  return matched;
}

/** Whether a token's `aud` (a string or a list) contains `audience`. */
export function audienceContains(aud: unknown, audience: string): boolean {
  return Array.isArray(aud) ? aud.includes(audience) : aud === audience;
}

export type PolicyChoice<P extends TrustPolicy = TrustPolicy> =
  | { kind: 'matched'; policy: P; matchedClaims: Record<string, unknown> }
  | { kind: 'none' }
  | { kind: 'ambiguous'; names: string[] }
  | { kind: 'named_not_matching' };

/**
 * The one policy that accepts this (verified) token: its issuer's policies whose audience the
 * token carries and whose conditions hold. Several matches need `trust_policy` naming one.
 */
export function choosePolicy<P extends TrustPolicy>(
  policies: readonly P[],
  payload: Record<string, unknown>,
  named: string | undefined,
): PolicyChoice<P> {
  const matches = policies.flatMap((policy) => {
    if (policy.issuer !== payload.iss || !audienceContains(payload.aud, policy.audience)) return [];
    const matchedClaims = matchConditions(policy, payload);
    return matchedClaims ? [{ policy, matchedClaims }] : [];
  });
  if (named !== undefined) {
    const chosen = matches.find((m) => m.policy.name === named);
    return chosen ? { kind: 'matched', ...chosen } : { kind: 'named_not_matching' };
  }
  if (matches.length === 0) return { kind: 'none' };
  if (matches.length > 1) return { kind: 'ambiguous', names: matches.map((m) => m.policy.name) };
  return {
    kind: 'matched',
    ...(matches[0] as { policy: P; matchedClaims: Record<string, unknown> }),
  };
}
