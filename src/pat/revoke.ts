/**
 * Revoke-and-audit, the one way a PAT is revoked (an owner, an administrator, a leak report, the
 * inactivity sweep, a user's deletion, a rotation): the rows and one `pat.revoked` audit row per token (and
 * so its webhook event and notice) in the caller's transaction, each naming the token.
 */
import type { RequestMeta } from '../audit/event.js';
import { recordAudit } from '../audit/record.js';
import type { Queryable } from '../db/queryable.js';
import { markPatsRevoked, type PatRow, type RevocationTarget } from './repository.js';
import type { RevocationKind } from './revocation.js';

export interface PatRevocation {
  at: Date;
  kind: RevocationKind;
  /** Stored on the row (`revoked_reason`), shown by the API and the console. */
  reason: string;
  /** What the audit row says when it says more than the stored reason; defaults to `reason`. */
  auditReason?: string;
  /** A rotation's old secret is audited as `pat.rotated` (its webhook event is `token.rotated`). */
  action?: 'pat.revoked' | 'pat.rotated';
}

/** Who revokes, from where; a null `userId` is the system (a leak report, a sweep). */
export interface Revoker {
  userId: string | null;
  meta: RequestMeta;
}

/** Revokes the target's PATs not yet revoked, audits each, and returns them as revoked. */
export async function revokePats(
  q: Queryable,
  target: RevocationTarget,
  revocation: PatRevocation,
  revoker: Revoker,
): Promise<PatRow[]> {
  const { at, kind, reason } = revocation;
  const revoked = await markPatsRevoked(q, target, { at, by: revoker.userId, kind, reason });
  for (const pat of revoked) {
    await recordAudit(q, {
      at,
      action: revocation.action ?? 'pat.revoked',
      outcome: 'success',
      actorUserId: revoker.userId,
      subjectUserId: pat.user_id,
      patId: pat.id,
      meta: revoker.meta,
      reason: revocation.auditReason ?? reason,
      token: { name: pat.name, hint: pat.hint },
      revocationKind: pat.revocation_kind,
    });
  }
  return revoked;
}
