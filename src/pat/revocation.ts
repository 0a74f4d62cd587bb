/**
 * Who may undo a revocation (docs/design.md, "PATs"). Without this rule an owner whose PAT an admin
 * revoked ("compromised laptop") or a leak report killed could simply restore it. Each
 * revocation records its kind; this one pure function decides, for the API, the console and
 * the CLI alike.
 */
import { conflict } from '../errors.js';
import { ADMIN_SCOPE } from '../scopes.js';

export const REVOCATION_KINDS = ['owner', 'admin', 'leak', 'inactivity', 'rotation', 'user_deleted'] as const;
/** Why a PAT was revoked, as stored in `pats.revocation_kind`. */
export type RevocationKind = (typeof REVOCATION_KINDS)[number];

/** The reason text a `leak` revocation stores, from a report (api/credentials.ts) or a scan (leak-scan.ts). */
export const LEAK_REASON = 'reported leaked';

/** Kinds that nobody undoes: the token is known bad, superseded, or its user is gone. */
const FINAL: ReadonlySet<RevocationKind> = new Set(['leak', 'inactivity', 'rotation', 'user_deleted']);

export interface Restorer {
  /** True when the restorer acts as an administrator (holds `tessera:admin`). */
  admin: boolean;
}

/** Null when `restorer` may undo a revocation of `kind`, else why not. */
export function restoreRefusal(kind: RevocationKind | null, restorer: Restorer): string | null {
  if (kind !== null && FINAL.has(kind)) return `a revocation by ${kind.replace('_', ' ')} is final`;
  if (kind === 'admin' && !restorer.admin)
    return "only an administrator may undo an administrator's revocation";
  return null;
}

/** 409 `revocation_final` unless the restorer may undo this revocation. */
export function assertRestorable(kind: RevocationKind | null, credentialScopes: readonly string[] | null) {
  const refusal = restoreRefusal(kind, {
    admin: credentialScopes === null || credentialScopes.includes(ADMIN_SCOPE),
  });
  if (refusal) throw conflict('revocation_final', refusal);
}
