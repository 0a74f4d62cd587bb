/** Users: creation with entitlements, disabling (every PAT fails at once), soft deletion. */
import { randomUUID } from 'node:crypto';
import type { Actor } from '../audit/actor.js';
import { recordAudit } from '../audit/record.js';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/queryable.js';
import { conflict, invalidRequest, notFound } from '../errors.js';
import { revokePats } from '../pat/revoke.js';
import { ADMIN_SCOPE, TOKENS_SCOPE } from '../scopes.js';
import { findUserById, insertUser, markUserDeleted, setUserDisabled, type UserRow } from './repository.js';

export interface UserContext {
  db: Database;
  clock: Clock;
  scopes: Record<string, string>;
}

export interface NewUser {
  username: string;
  /** Defaults to `tessera:tokens` alone: a user may manage their own tokens and nothing more. */
  entitlements?: string[] | undefined;
  /** Shorthand for the `tessera:admin` entitlement. */
  admin?: boolean | undefined;
  service?: boolean | undefined;
  /** Where email notices go (docs/design.md, "Notifications to people (email)"). */
  email?: string | null | undefined;
}

export function entitlementsOf(
  input: Pick<NewUser, 'entitlements' | 'admin'>,
  catalogue: Record<string, string>,
): string[] {
  const requested = input.entitlements ?? [TOKENS_SCOPE];
  requested.forEach((scope, i) => {
    if (!Object.hasOwn(catalogue, scope)) {
      throw invalidRequest([{ field: `entitlements[${i}]`, message: `unknown scope "${scope}"` }]);
    }
  });
  const set = new Set(requested);
  if (input.admin) set.add(ADMIN_SCOPE);
  if (input.admin === false) set.delete(ADMIN_SCOPE);
  return [...set];
}

export async function createUser(ctx: UserContext, input: NewUser, actor: Actor | null, tx?: Queryable) {
  const entitlements = entitlementsOf(input, ctx.scopes);
  const work = async (q: Queryable) => {
    const user = await insertUser(q, {
      id: randomUUID(),
      username: input.username,
      entitlements,
      service: input.service ?? false,
      created_at: ctx.clock(),
      email: input.email ?? null,
    });
    // The unique index decides, so concurrent creations of one name cannot both succeed.
    if (!user) throw conflict('username_taken', 'that username is taken');
    await recordAudit(q, {
      at: ctx.clock(),
      action: 'user.created',
      outcome: 'success',
      actorUserId: actor?.userId ?? null,
      subjectUserId: user.id,
      meta: actor?.meta ?? { ip: null, userAgent: null },
    });
    return user;
  };
  return tx ? work(tx) : ctx.db.transaction(work);
}

function refuseSelf(id: string, actor: Actor) {
  if (id === actor.userId)
    throw conflict('cannot_modify_self', 'an administrator cannot disable or delete themselves');
}

/** Disabled users' PATs fail at once; enabling restores those not individually revoked. */
export function setDisabled(ctx: UserContext, id: string, disabled: boolean, actor: Actor): Promise<UserRow> {
  if (disabled) refuseSelf(id, actor);
  return ctx.db.transaction(async (tx) => {
    const user = await setUserDisabled(tx, id, disabled ? ctx.clock() : null);
    if (!user) throw notFound('user');
    await recordAudit(tx, {
      at: ctx.clock(),
      action: disabled ? 'user.disabled' : 'user.enabled',
      outcome: 'success',
      actorUserId: actor.userId,
      subjectUserId: id,
      meta: actor.meta,
    });
    return user;
  });
}

/** Soft-deletes a user and revokes every PAT they hold; their audit history stays. */
export function deleteUser(ctx: UserContext, id: string, actor: Actor): Promise<void> {
  refuseSelf(id, actor);
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock();
    if (!(await findUserById(tx, id)) || !(await markUserDeleted(tx, id, now))) throw notFound('user');
    await revokePats(tx, { userId: id }, { at: now, kind: 'user_deleted', reason: 'user deleted' }, actor);
    await recordAudit(tx, {
      at: now,
      action: 'user.deleted',
      outcome: 'success',
      actorUserId: actor.userId,
      subjectUserId: id,
      meta: actor.meta,
    });
  });
}
