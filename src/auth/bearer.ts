/**
 * `/api/v1` authentication: `Authorization: Bearer <PAT or Tessera JWT>` (RFC 6750 §2.1). A
 * PAT with a bad checksum is refused before any database query; every failure answers the
 * same 401.
 */
import type { Context, Middleware, Next } from 'koa';
import type { AuditEvent } from '../audit/event.js';
import type { Clock } from '../clock.js';
import type { DpopChecks } from '../dpop/service.js';
import { ApiProblem, insufficientScope, unauthenticated } from '../errors.js';
import type { RateLimits } from '../limits/rate-limits.js';
import { IP_NOT_ALLOWED } from '../pat/address-allowlist.js';
import { authenticatePat } from '../pat/authenticate.js';
import type { PatHashLookup } from '../pat/hash-lookup.js';
import type { UsageTracker } from '../pat/usage.js';
import { intersectScopes } from '../scopes.js';
import { addressRefusal } from './address-refusal.js';
import type { Caller } from './caller.js';
import { unfitForApi } from './credential-use.js';
import { authorizationCredentials, dpopRefusal } from './dpop.js';

export interface BearerDeps {
  patLookup: PatHashLookup;
  clock: Clock;
  prefix: string;
  usage: UsageTracker;
  limits: RateLimits;
  /** Verifies Tessera JWTs (see jwt.ts); absent, only PATs are accepted. */
  authenticateJwt?: ((token: string, ip: string | null) => Promise<Caller | null>) | undefined;
  /** Where a PAT refused for its client address is audited (`ip_not_allowed`). */
  audit?: ((event: AuditEvent) => Promise<void>) | undefined;
  /** DPoP proof checks; absent, DPoP-bound tokens are refused. */
  dpop?: DpopChecks | undefined;
}

export function bearerToken(ctx: Context): string | null {
  const match = /^Bearer +([^\s]+) *$/i.exec(ctx.get('authorization'));
  return match?.[1] ?? null;
}

/** The caller a presented PAT makes, or null (see pat/authenticate.ts). */
export async function patCaller(deps: BearerDeps, token: string, ip: string | null): Promise<Caller | null> {
  const now = deps.clock();
  const result = await authenticatePat(deps.patLookup, deps.prefix, token, now, ip);
  if (!result.ok) {
    if (result.reason === IP_NOT_ALLOWED && result.record) {
      await deps.audit?.(addressRefusal(result.record, now, ip));
    }
    return null;
  }
  const holder = result.record;
  await deps.usage.record(holder.pat.id, now, ip);
  return {
    user: holder.user,
    credential: 'pat',
    patId: holder.pat.id,
    scopes: intersectScopes(holder.pat.scopes, holder.user.entitlements),
    allowedCidrs: holder.pat.allowed_cidrs ?? null,
    ...(holder.pat.require_dpop ? { requireDpop: true } : {}),
  };
}

export const tooManyFailures = (retryAfter: number) =>
  new ApiProblem(429, 'rate_limited', 'Too many failed attempts', `retry after ${retryAfter} seconds`);

async function authenticate(deps: BearerDeps, token: string, ip: string | null): Promise<Caller | null> {
  return (await patCaller(deps, token, ip)) ?? (await deps.authenticateJwt?.(token, ip)) ?? null;
}

/**
 * Sets `ctx.state.caller`, or answers 401. A client address that keeps presenting bad
 * credentials gets 429 (with `Retry-After`) for further bad ones until its failures age out;
 * a valid credential from it is always accepted (see limits/rate-limits.ts).
 */
export function requireCaller(deps: BearerDeps): Middleware {
  return async (ctx: Context, next: Next) => {
    const credentials = authorizationCredentials(ctx);
    if (!credentials) throw unauthenticated();
    const { scheme, token } = credentials;
    let caller = await authenticate(deps, token, ctx.ip || null);
    const unfit = caller && unfitForApi(ctx, caller, deps.clock());
    if (unfit) {
      await deps.audit?.(unfit);
      caller = null;
    }
    // RFC 9449 §7: the scheme must match the token's binding, and a bound token needs its proof.
    if (caller && (caller.jkt || scheme === 'dpop')) {
      const refusal = deps.dpop ? await dpopRefusal(deps.dpop, ctx, scheme, token, caller.jkt) : 'no DPoP';
      if (refusal) caller = null;
    }
    if (!caller) {
      const blocked = await deps.limits.recordFailedAuth(ctx.ip);
      if (blocked) {
        ctx.set('Retry-After', String(blocked));
        throw tooManyFailures(blocked);
      }
      throw unauthenticated();
    }
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
