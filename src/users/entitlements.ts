/**
 * Changing a user's entitlements (console admin pages, and SSO sign-ins re-applying the IdP's
 * groups). Narrower entitlements bind the user's existing PATs at once: every use intersects a
 * PAT's scopes with the owner's current entitlements.
 */
import { recordAudit } from '../audit/events.js';
import type { Queryable } from '../db/queryable.js';
import { conflict, notFound } from '../errors.js';
import type { Actor } from '../pat/service.js';
import { ADMIN_SCOPE } from '../scopes.js';
import type { UserRow } from './repository.js';
import { entitlementsOf, type UserContext } from './service.js';

const COLUMNS = 'id, username, entitlements, service, created_at, disabled_at, deleted_at';

async function updateEntitlements(q: Queryable, id: string, entitlements: string[]) {
  const { rows } = await q.query<UserRow>(
    `UPDATE users SET entitlements = $2 WHERE id = $1 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
    [id, entitlements],
  );
  return rows[0] ?? null;
}

/** Sets the entitlements (unknown scopes are a 400); audited only when they change. */
export async function setEntitlements(
  ctx: UserContext,
  id: string,
  requested: { entitlements: string[]; admin?: boolean | undefined },
  actor: Actor | null,
  tx?: Queryable,
): Promise<UserRow> {
  const entitlements = entitlementsOf(requested, ctx.scopes);
  // As for disabling: an administrator cannot lock themselves out of administration.
  if (actor?.userId === id && !entitlements.includes(ADMIN_SCOPE)) {
    throw conflict('cannot_modify_self', 'an administrator cannot remove their own tessera:admin');
  }
  const work = async (q: Queryable) => {
    const before = await q.query<{ entitlements: string[] }>(
      'SELECT entitlements FROM users WHERE id = $1 AND deleted_at IS NULL FOR UPDATE',
      [id],
    );
    const current = before.rows[0]?.entitlements;
    const user = current ? await updateEntitlements(q, id, entitlements) : null;
    if (!user || !current) throw notFound('user');
    if ([...current].sort().join(' ') !== [...entitlements].sort().join(' ')) {
      await recordAudit(q, {
        at: ctx.clock(),
        action: 'user.entitlements_changed',
        outcome: 'success',
        actorUserId: actor?.userId ?? null,
        subjectUserId: id,
        meta: actor?.meta ?? { ip: null, userAgent: null },
        reason: entitlements.join(' '),
      });
    }
    return user;
  };
  return tx ? work(tx) : ctx.db.transaction(work);
}
