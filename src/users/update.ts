/**
 * Changing a user (`PATCH /api/v1/users/{id}`, the console's user page, and SSO sign-ins
 * re-applying the IdP's groups): username, entitlements, admin. Entitlements
 * are read afresh on every exchange and API request, so a narrower set binds the user's
 * existing PATs and JWTs from the very next request; nothing else needs revoking.
 */
import type { Actor } from '../audit/actor.js';
import { recordAudit } from '../audit/record.js';
import { conflict, notFound } from '../errors.js';
import { ADMIN_SCOPE } from '../scopes.js';
import { findUserById, type UserRow, updateUserRow } from './repository.js';
import { entitlementsOf, type UserContext } from './service.js';

export interface UserChange {
  username?: string | undefined;
  entitlements?: string[] | undefined;
  /** Adds or removes `tessera:admin` (after `entitlements`, when both are given). */
  admin?: boolean | undefined;
  /** A new address for email notices; null removes it. */
  email?: string | null | undefined;
}

/** The new entitlements, or undefined when the change leaves them alone. */
function newEntitlements(ctx: UserContext, current: UserRow, change: UserChange): string[] | undefined {
  if (change.entitlements === undefined && change.admin === undefined) return undefined;
  return entitlementsOf(
    { entitlements: change.entitlements ?? current.entitlements, admin: change.admin },
    ctx.scopes,
  );
}

const NO_CHANGE = 'no change';

/** What changed, for the audit row's reason. */
function describeChange(before: UserRow, after: UserRow): string {
  const parts: string[] = [];
  if (before.username !== after.username) parts.push(`username: ${before.username} -> ${after.username}`);
  if (before.entitlements.join(' ') !== after.entitlements.join(' ')) {
    parts.push(`entitlements: ${before.entitlements.join(' ')} -> ${after.entitlements.join(' ')}`);
  }
  // The address itself stays out of the audit trail.
  if ((before.email ?? null) !== (after.email ?? null))
    parts.push(after.email === null ? 'email removed' : 'email changed');
  return parts.join('; ') || NO_CHANGE;
}

export function updateUser(ctx: UserContext, id: string, change: UserChange, actor: Actor): Promise<UserRow> {
  return ctx.db.transaction(async (tx) => {
    const before = await findUserById(tx, id);
    if (!before) throw notFound('user');
    const entitlements = newEntitlements(ctx, before, change);
    // An administrator locking themselves out would leave nobody to undo it.
    if (id === actor.userId && entitlements && !entitlements.includes(ADMIN_SCOPE)) {
      throw conflict('cannot_modify_self', 'an administrator cannot remove their own tessera:admin');
    }
    const after = await updateUserRow(tx, id, {
      username: change.username,
      entitlements,
      email: change.email,
    }).catch((error) => {
      if ((error as { code?: string }).code === '23505')
        throw conflict('username_taken', 'that username is taken');
      throw error;
    });
    if (!after) throw notFound('user');
    const described = describeChange(before, after);
    // An SSO sign-in re-applies the same groups every time: only a change is worth a row.
    if (described === NO_CHANGE) return after;
    await recordAudit(tx, {
      at: ctx.clock(),
      action: 'user.updated',
      outcome: 'success',
      actorUserId: actor.userId,
      subjectUserId: id,
      meta: actor.meta,
      reason: described,
    });
    return after;
  });
}
