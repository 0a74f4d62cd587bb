/** The rules a new PAT must satisfy: known scopes, the owner's entitlements, the expiry policy. */
import type { TokenPolicy } from '../config.js';
import { ApiProblem, invalidRequest } from '../errors.js';
import { scopesOutside } from '../scopes.js';

const DAY_MS = 86_400_000;

/**
 * 403 `service_account` when a service account asks for a token of its own: its tokens are made
 * for it by an administrator, so a leaked service token cannot mint itself successors.
 */
export function assertMayCreateOwnToken(user: { service: boolean }) {
  if (user.service) {
    throw new ApiProblem(
      403,
      'service_account',
      'Service account',
      'only administrators create tokens for service accounts',
    );
  }
}

/** Rejects scopes that are not in the catalogue (400, naming the first bad element). */
export function assertKnownScopes(requested: readonly string[], catalogue: Record<string, string>) {
  const index = requested.findIndex((scope) => !Object.hasOwn(catalogue, scope));
  if (index >= 0) {
    throw invalidRequest([{ field: `scopes[${index}]`, message: `unknown scope "${requested[index]}"` }]);
  }
}

/** A PAT may carry only scopes its owner is entitled to (403: the caller may not grant them). */
export function assertEntitled(requested: readonly string[], entitlements: readonly string[]) {
  const outside = scopesOutside(requested, entitlements);
  if (outside.length > 0) {
    throw new ApiProblem(
      403,
      'scope_not_entitled',
      'Scope not entitled',
      `the token's owner is not entitled to: ${outside.join(', ')}`,
    );
  }
}

/**
 * The expiry of a new PAT: `undefined` days means the default lifetime; `null` means no expiry,
 * which only a policy with `allowNoExpiry` accepts.
 */
export function expiryFor(policy: TokenPolicy, days: number | null | undefined, now: Date): Date | null {
  if (days === null) {
    if (!policy.allowNoExpiry) {
      throw invalidRequest([{ field: 'expires_in_days', message: 'tokens without expiry are not allowed' }]);
    }
    return null;
  }
  const lifetime = days ?? policy.defaultLifetimeDays;
  if (lifetime > policy.maxLifetimeDays) {
    throw invalidRequest([
      { field: 'expires_in_days', message: `must be at most ${policy.maxLifetimeDays} days` },
    ]);
  }
  return new Date(now.getTime() + lifetime * DAY_MS);
}

/**
 * A rotated PAT keeps its predecessor's expiry (issue 18): a rotation changes the secret, never
 * the lifetime, so rotating every 89 days cannot keep a 90-day token alive for ever. Capped at
 * today's maximum from now, in case the policy has tightened since.
 */
export function rotatedExpiry(policy: TokenPolicy, old: { expires_at: Date | null }, now: Date) {
  if (old.expires_at === null) return policy.allowNoExpiry ? null : expiryFor(policy, undefined, now);
  const latest = now.getTime() + policy.maxLifetimeDays * DAY_MS;
  return new Date(Math.min(old.expires_at.getTime(), latest));
}

const dayOf = (date: Date) => date.toISOString().slice(0, 10);
const startOfDay = (time: number) => Math.floor(time / DAY_MS) * DAY_MS;

/**
 * The range of calendar days (UTC, `YYYY-MM-DD`) a new PAT may be set to expire on: a token
 * chosen to expire on a day works until that day ends (the next 00:00 UTC), so the earliest is
 * today and the latest is the last day that ends within `maxLifetimeDays` from now.
 */
export function expiryDateRange(
  policy: Pick<TokenPolicy, 'maxLifetimeDays'>,
  now: Date,
): { earliest: string; latest: string } {
  const latestEnd = startOfDay(now.getTime() + policy.maxLifetimeDays * DAY_MS);
  return { earliest: dayOf(now), latest: dayOf(new Date(latestEnd - DAY_MS)) };
}

/** The expiry of a PAT set to expire on `date` (`YYYY-MM-DD`): the end of that day, within the range above. */
export function expiryOnDate(policy: Pick<TokenPolicy, 'maxLifetimeDays'>, date: string, now: Date): Date {
  const { earliest, latest } = expiryDateRange(policy, now);
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(date) && dayOf(new Date(`${date}T00:00:00Z`)) === date;
  if (!valid) throw invalidRequest([{ field: 'expires_on', message: 'expected a date like 2027-01-31' }]);
  if (date < earliest || date > latest) {
    throw invalidRequest([{ field: 'expires_on', message: `must be between ${earliest} and ${latest}` }]);
  }
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS);
}
