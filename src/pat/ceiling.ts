/**
 * The scope ceiling (docs/design.md, "PATs"): a credential never mints more than it holds. Without
 * it a PAT carrying only `tessera:tokens`, or a 15-minute JWT, could create a year-long PAT with
 * every scope its owner is entitled to. One pure rule, called by the service layer, so the API,
 * the console and the CLI cannot differ.
 */
import { ApiProblem } from '../errors.js';
import { ADMIN_SCOPE, scopesOutside } from '../scopes.js';

/** Who presents which credential; `credentialScopes` null means the system itself. */
export interface Presenter {
  userId: string | null;
  credentialScopes: readonly string[] | null;
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
      `the presented credential does not hold: ${outside.join(', ')}`,
    );
  }
}
