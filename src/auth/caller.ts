import type { ActClaim } from '../delegation/act-chain.js';
import type { UserRow } from '../users/repository.js';

/** The authenticated caller of an API request. */
export interface Caller {
  user: UserRow;
  credential: 'pat' | 'jwt';
  /** The PAT presented, or the PAT the presented JWT was exchanged from. */
  patId: string | null;
  /** What this request may do: the credential's scopes within the user's current entitlements. */
  scopes: string[];
  /** That PAT's `allowed_cidrs` (null: anywhere): the networks ceiling of what it mints (pat/ceiling.ts). */
  allowedCidrs: string[] | null;
  /** The key a DPoP-bound JWT is bound to (`cnf.jkt`, RFC 9449 §6.1). */
  jkt?: string;
  /** The PAT (or the JWT's root PAT) asks for proof of possession: no bearer use (credential-use.ts). */
  requireDpop?: boolean;
  /** A delegated JWT's actors (RFC 8693 §4.1): refused by `/api/v1` (credential-use.ts). */
  act?: ActClaim;
}
