/**
 * Why a federated exchange was refused, for admins (docs/design.md, "Federated refusals for admins"):
 * a closed list of reason codes, and for a token no policy accepted, the *closest* policy (the
 * issuer's policy with the fewest differing conditions) and its first differing claim. Pure: the
 * exchange path computes it, the refusal trail stores it, the API, CLI and console show it.
 *
 * What is shown: the external token's `iss`, `sub`, `aud`, `jti`, and for the differing claim
 * its name, the policy's expected value(s) and the token's value. Claim values of CI and
 * workload tokens (repository ids, refs, environments) identify a workload; they are not
 * credentials, and admins need the value to fix a policy. They are cut to `MAX_SHOWN` characters.
 * Nothing else of the token (other claims, header, signature) is kept.
 */
import { claimText, matchesPattern } from './pattern.js';
import { audienceContains, type TrustPolicy } from './policy.js';

export const REFUSAL_CODES = [
  'no_policy_matched',
  'audience_mismatch',
  'expired',
  'issued_in_future',
  'too_old',
  'bad_signature',
  'unknown_kid',
  'issuer_unreachable',
  'replayed',
  'ambiguous',
  'actor_not_permitted',
  // Not in docs/design.md's list: the token matched a policy whose user is disabled or deleted.
  'policy_user_unusable',
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** Longest claim value shown to admins (longer ones end in `…`). */
export const MAX_SHOWN = 200;

export interface DifferingClaim {
  /** `aud`, `sub`, a policy claim name, or `jti` (a single-use policy needs one). */
  claim: string;
  /** The policy's accepted value(s), comma-separated. */
  expected: string;
  /** The token's value, null when absent or not comparable (a list or an object). */
  got: string | null;
}

export interface ClosestPolicy {
  policyId: string;
  policyName: string;
  differing: DifferingClaim;
}

/** What the refusal trail records about one refused exchange. */
export interface RefusalFacts {
  code: RefusalCode;
  /** The token's `aud` as it claimed it (a list joined with spaces). */
  audience: string | null;
  closest: ClosestPolicy | null;
}

export const shown = (value: string): string =>
  value.length <= MAX_SHOWN ? value : `${value.slice(0, MAX_SHOWN - 1)}…`;

/** The token's `aud` as text: a string, or a list joined with spaces; null otherwise. */
export function audienceText(aud: unknown): string | null {
  if (typeof aud === 'string') return shown(aud);
  if (Array.isArray(aud) && aud.every((a) => typeof a === 'string')) return shown(aud.join(' '));
  return null;
}

function textOf(payload: Record<string, unknown>, claim: string): string | null {
  const value = Object.hasOwn(payload, claim) ? claimText(payload[claim]) : undefined;
  return value === undefined ? null : shown(value);
}

/** Every condition of `policy` the token does not meet, in the order the policy is checked. */
export function differingConditions(policy: TrustPolicy, payload: Record<string, unknown>): DifferingClaim[] {
  const differing: DifferingClaim[] = [];
  if (!audienceContains(payload.aud, policy.audience)) {
    differing.push({ claim: 'aud', expected: policy.audience, got: audienceText(payload.aud) });
  }
  const conditions: [string, string[]][] = [
    ...(policy.subject === null ? [] : [['sub', [policy.subject]] as [string, string[]]]),
    ...Object.entries(policy.claims),
  ];
  for (const [claim, accepted] of conditions) {
    const got = Object.hasOwn(payload, claim) ? claimText(payload[claim]) : undefined;
    if (got !== undefined && accepted.some((pattern) => matchesPattern(pattern, got))) continue;
    differing.push({ claim, expected: shown(accepted.join(', ')), got: textOf(payload, claim) });
  }
  return differing;
}

/** The policy with the fewest differing conditions (the first listed on a tie) and its first difference. */
export function closestPolicy(
  policies: readonly TrustPolicy[],
  payload: Record<string, unknown>,
): ClosestPolicy | null {
  let best: { policy: TrustPolicy; differing: DifferingClaim[] } | null = null;
  for (const policy of policies) {
    const differing = differingConditions(policy, payload);
    if (differing.length > 0 && (best === null || differing.length < best.differing.length)) {
      best = { policy, differing };
    }
  }
  const first = best?.differing[0];
  return best && first ? { policyId: best.policy.id, policyName: best.policy.name, differing: first } : null;
}
