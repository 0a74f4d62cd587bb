/**
 * Who may rotate a PAT (issue 18). A rotation issues a new secret, so it is a creation: a
 * service account may not create its own tokens (only administrators do), and may rotate one
 * an administrator issued to it only when `tessera:tokens` is among its own entitlements, not
 * merely on the token it presents. One rule for the API, the console and the CLI.
 */
import { ApiProblem } from '../errors.js';
import { TOKENS_SCOPE } from '../scopes.js';
import type { UserRow } from '../users/repository.js';

/** 403 `service_account` when a service account rotates its own PAT without being entitled to. */
export function assertMayRotate(
  owner: Pick<UserRow, 'id' | 'service' | 'entitlements'>,
  actorId: string | null,
) {
  if (!owner.service || actorId !== owner.id) return;
  if (owner.entitlements.includes(TOKENS_SCOPE)) return;
  throw new ApiProblem(
    403,
    'service_account',
    'Service account',
    'a service account rotates its tokens only when entitled to tessera:tokens; ask an administrator',
  );
}
