/**
 * What an SSO sign-in grants (pure): the entitlements mapped from the IdP's group claim
 * (`defaultEntitlements`, `groupEntitlements`, `adminGroups`), and the username to create the
 * user with. Re-applied at every sign-in, so leaving a group at the IdP narrows Tessera too.
 */
import type { OidcLoginConfig } from '../config.js';
import { ADMIN_SCOPE, TOKENS_SCOPE } from '../scopes.js';

export type Claims = Record<string, unknown>;
type Mapping = Pick<
  OidcLoginConfig,
  'groupsClaim' | 'defaultEntitlements' | 'groupEntitlements' | 'adminGroups'
>;

/** The groups claim as a list of strings: a list, or one space-separated string; anything else is none. */
export function groupsOf(claims: Claims, groupsClaim: string): string[] {
  const value = claims[groupsClaim];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  return [];
}

/** Entitlements in catalogue order; only catalogue scopes. Admin groups add `tessera:admin` and `tessera:tokens`. */
export function mapEntitlements(
  claims: Claims,
  mapping: Mapping,
  catalogue: Record<string, string>,
): string[] {
  const groups = groupsOf(claims, mapping.groupsClaim);
  const granted = new Set(mapping.defaultEntitlements);
  // Own keys only: a group named `constructor` or `__proto__` must not reach Object.prototype.
  const byGroup = new Map(Object.entries(mapping.groupEntitlements));
  for (const group of groups) {
    for (const scope of byGroup.get(group) ?? []) granted.add(scope);
  }
  if (groups.some((group) => mapping.adminGroups.includes(group))) {
    granted.add(ADMIN_SCOPE);
    granted.add(TOKENS_SCOPE);
  }
  return Object.keys(catalogue).filter((scope) => granted.has(scope));
}

/**
 * A username for a new user: the configured claim, else `email`, else `sub`, reduced to the
 * characters usernames allow (`alice@example.com` -> `alice-example.com`).
 */
export function usernameFrom(claims: Claims, usernameClaim: string): string {
  const raw = [claims[usernameClaim], claims.email, claims.sub].find(
    (v) => typeof v === 'string' && v.trim() !== '',
  );
  const cleaned = String(raw ?? 'user')
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 50);
  return cleaned || 'user';
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[^\s@<>()[\]\\,;:"]{1,189}$/;

/**
 * The IdP's `email` claim as the address for notices (docs/design.md, "Notifications to people"),
 * unless the IdP says it is not verified (`email_verified: false`); null when absent or not an
 * address (an IdP's text must not become a header of a mail Tessera sends).
 */
export function verifiedEmailOf(claims: Claims): string | null {
  const email = claims.email;
  if (typeof email !== 'string' || claims.email_verified === false) return null;
  return EMAIL.test(email) ? email : null;
}
