/**
 * The Tessera user behind an SSO sign-in: found by the IdP's (iss, sub), or created at the first
 * sign-in; either way with the entitlements the IdP's groups map to now.
 */
import { randomBytes } from 'node:crypto';
import type { Actor } from '../audit/actor.js';
import type { OidcLoginConfig } from '../config.js';
import type { Database } from '../db/queryable.js';
import { ApiProblem } from '../errors.js';
import { findUserByIdIncludingDeleted, type UserRow } from '../users/repository.js';
import { createUser, type UserContext } from '../users/service.js';
import { updateUser } from '../users/update.js';
import { type Claims, mapEntitlements, usernameFrom, verifiedEmailOf } from './sso-mapping.js';
import { findLinkedUserId, linkIdentity } from './sso-repository.js';

export const accountUnusable = () =>
  new ApiProblem(
    403,
    'account_unusable',
    'Your account cannot sign in',
    'Your Tessera account is disabled or deleted. Ask an administrator.',
  );

async function createLinkedUser(
  ctx: UserContext,
  oidc: OidcLoginConfig,
  claims: Claims,
  entitlements: string[],
  meta: Actor['meta'],
) {
  const base = usernameFrom(claims, oidc.usernameClaim);
  // A taken name gets a short random suffix: the link is (iss, sub), never the name.
  for (const username of [base, `${base}-${randomBytes(3).toString('hex')}`]) {
    try {
      return await ctx.db.transaction(async (tx) => {
        const system = { userId: null, meta, credentialScopes: null };
        const email = verifiedEmailOf(claims);
        const user = await createUser(ctx, { username, entitlements, email }, system, tx);
        await linkIdentity(tx, {
          issuer: String(claims.iss),
          subject: String(claims.sub),
          userId: user.id,
          at: ctx.clock(),
        });
        return user;
      });
    } catch (error) {
      if (!(error instanceof ApiProblem && error.code === 'username_taken')) throw error;
    }
  }
  throw new ApiProblem(
    409,
    'username_taken',
    'Username taken',
    'No free username could be made for this account.',
  );
}

export async function userForSignIn(
  ctx: UserContext & { db: Database },
  oidc: OidcLoginConfig,
  claims: Claims,
  meta: Actor['meta'],
): Promise<UserRow> {
  const entitlements = mapEntitlements(claims, oidc, ctx.scopes);
  const linked = await findLinkedUserId(ctx.db, String(claims.iss), String(claims.sub));
  if (!linked) return createLinkedUser(ctx, oidc, claims, entitlements, meta);
  const user = await findUserByIdIncludingDeleted(ctx.db, linked);
  if (!user || user.deleted_at || user.disabled_at) throw accountUnusable();
  // A verified address from the IdP replaces the stored one; its absence keeps what is there.
  const email = verifiedEmailOf(claims) ?? undefined;
  return updateUser(ctx, user.id, { entitlements, email }, { userId: null, meta, credentialScopes: null });
}
