/**
 * The scope ceiling (docs/design.md, "PATs"): a credential never mints more than it holds. Without
 * it a PAT carrying only `tessera:tokens`, or a 15-minute JWT, could create a year-long PAT with
 * every scope its owner is entitled to. One pure rule, called by the service layer, so the API,
 * the console and the CLI cannot differ.
 */
import { ApiProblem } from '../errors.js';
import { ADMIN_SCOPE, scopesOutside } from '../scopes.js';
import { cidrWithin } from './address-allowlist.js';

/** Who presents which credential; `credentialScopes` null means the system itself. */
export interface Presenter {
  userId: string | null;
  credentialScopes: readonly string[] | null;
  /**
   * The `allowed_cidrs` of the presented PAT (or of the PAT a JWT or a console session was
   * opened with); null or absent: the credential works from anywhere.
   */
  credentialCidrs?: readonly string[] | null | undefined;
}

/**
 * The scopes a new or rotated PAT for `ownerId` may carry beyond the owner's entitlements (which
 * are checked separately): the presenting credential's scopes; for an administrator acting on
 * another user's tokens, that user's entitlements alone bound it. Null means no further bound.
 */
export function credentialCeiling(presenter: Presenter, ownerId: string): readonly string[] | null {
  const held = presenter.credentialScopes;
  if (held === null) return null;
  if (presenter.userId !== ownerId && held.includes(ADMIN_SCOPE)) return null;
  return held;
}

/**
 * The scopes a new PAT for `owner` may carry when `presenter` asks: catalogue scopes within the
 * owner's entitlements and the credential's ceiling. What the console offers, so that it offers
 * nothing `createPat` would refuse and hides nothing it would grant.
 */
export function scopesOnOffer(
  catalogue: readonly string[],
  owner: { id: string; entitlements: readonly string[] },
  presenter: Presenter,
): string[] {
  const ceiling = credentialCeiling(presenter, owner.id);
  return catalogue.filter(
    (scope) => owner.entitlements.includes(scope) && (ceiling === null || ceiling.includes(scope)),
  );
}

/** 403 `scope_exceeds_credential` unless `requested` is within the presenter's ceiling. */
export function assertWithinCredential(requested: readonly string[], presenter: Presenter, ownerId: string) {
  const ceiling = credentialCeiling(presenter, ownerId);
  if (ceiling === null) return;
  const outside = scopesOutside(requested, ceiling);
  if (outside.length > 0) {
    throw new ApiProblem(
      403,
      'scope_exceeds_credential',
      'Scope exceeds the credential',
      exceedsDetail(ceiling, outside),
    );
  }
}

/**
 * Says why (issue 22): a session or request opened with a token holds that token's scopes only,
 * which surprises someone entitled to more. Names what it holds and the way to get the rest.
 */
export function exceedsDetail(held: readonly string[], missing: readonly string[]): string {
  const holding = held.length ? held.join(' ') : 'no scope';
  return (
    `you signed in with a token holding ${holding}; ` +
    `sign in with SSO or with a token that holds ${missing.join(' ')}`
  );
}

/**
 * The networks ceiling (issue 18), as the scope ceiling: a credential bound to some networks
 * never mints one that works from elsewhere, or a PAT fenced to a CI network could mint an
 * unfenced one. It binds every PAT the credential creates or rotates, an administrator's for
 * another user too (a service account's token is as usable as the administrator's own).
 *
 * Returns the `allowed_cidrs` the new PAT gets: the requested list when each of its networks
 * lies inside one of the credential's; the credential's own list when none is requested (a
 * new PAT inherits the fence); 403 `cidr_exceeds_credential` otherwise. A credential without
 * a list leaves the request as it is.
 */
export function networksWithinCredential(
  requested: readonly string[] | null | undefined,
  presenter: Presenter,
): string[] | null {
  const held = presenter.credentialCidrs ?? null;
  if (held === null) return requested ? [...requested] : null;
  if (!requested) return [...held];
  const outside = requested.filter((cidr) => !held.some((own) => cidrWithin(cidr, own)));
  if (outside.length > 0) {
    throw new ApiProblem(
      403,
      'cidr_exceeds_credential',
      'Networks exceed the credential',
      `the presented credential is not usable from: ${outside.join(', ')}`,
    );
  }
  return [...requested];
}

/** A rotated PAT keeps its networks: 403 unless they lie within the presenter's (none lies within any list). */
export function assertNetworksWithinCredential(current: readonly string[] | null, presenter: Presenter) {
  if ((presenter.credentialCidrs ?? null) === null) return;
  if (current === null) {
    throw new ApiProblem(
      403,
      'cidr_exceeds_credential',
      'Networks exceed the credential',
      'the token works from any address; the presented credential does not',
    );
  }
  networksWithinCredential(current, presenter);
}
