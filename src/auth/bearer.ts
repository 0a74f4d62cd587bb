/**
 * `/api/v1` authentication: `Authorization: Bearer <PAT or Tessera JWT>` (RFC 6750 §2.1). A
 * PAT with a bad checksum is refused before any database query; every failure answers the
 * same 401.
 */
import type { Context, Middleware, Next } from 'koa';
import type { Clock } from '../clock.js';
import type { Database } from '../db/queryable.js';
import { insufficientScope, unauthenticated } from '../errors.js';
import { hashPat, isWellFormedPat } from '../pat/format.js';
import { findUsablePatByHash, touchPatLastUsed } from '../pat/repository.js';
import { intersectScopes } from '../scopes.js';
import type { UserRow } from '../users/repository.js';

/** The authenticated caller of an API request. */
export interface Caller {
  user: UserRow;
  credential: 'pat' | 'jwt';
  /** The PAT presented, or the PAT the presented JWT was exchanged from. */
  patId: string | null;
  /** What this request may do: the credential's scopes within the user's current entitlements. */
  scopes: string[];
}

export interface BearerDeps {
  db: Database;
  clock: Clock;
  prefix: string;
  /** Verifies Tessera JWTs (see jwt.ts); absent, only PATs are accepted. */
  authenticateJwt?: ((token: string) => Promise<Caller | null>) | undefined;
}

export function bearerToken(ctx: Context): string | null {
  const match = /^Bearer +([^\s]+) *$/i.exec(ctx.get('authorization'));
  return match?.[1] ?? null;
}

export async function authenticatePat(
  deps: BearerDeps,
  token: string,
  ip: string | null,
): Promise<Caller | null> {
  if (!isWellFormedPat(deps.prefix, token)) return null;
  const now = deps.clock();
  const holder = await findUsablePatByHash(deps.db, hashPat(token), now);
  if (!holder) return null;
  await touchPatLastUsed(deps.db, holder.pat.id, now, ip);
  return {
    user: holder.user,
    credential: 'pat',
    patId: holder.pat.id,
    scopes: intersectScopes(holder.pat.scopes, holder.user.entitlements),
  };
}

/** Sets `ctx.state.caller`, or answers 401. */
export function requireCaller(deps: BearerDeps): Middleware {
  return async (ctx: Context, next: Next) => {
    const token = bearerToken(ctx);
    const caller = token
      ? ((await authenticatePat(deps, token, ctx.ip || null)) ??
        (await deps.authenticateJwt?.(token)) ??
        null)
      : null;
    if (!caller) throw unauthenticated();
    ctx.state.caller = caller;
    await next();
  };
}

export function callerOf(ctx: Context): Caller {
  return ctx.state.caller as Caller;
}

/** 403 unless the caller's credential carries `scope`. */
export function requireScope(scope: string): Middleware {
  return async (ctx: Context, next: Next) => {
    if (!callerOf(ctx).scopes.includes(scope)) throw insufficientScope(scope);
    await next();
  };
}
