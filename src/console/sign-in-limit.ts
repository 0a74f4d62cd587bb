/**
 * The one guard in front of every unauthenticated console route that writes: `POST
 * /console/sign-in` (audit rows), `/console/sso` (a pending sign-in), `/console/callback` (audit
 * rows). Per address and route, shared by all instances (limits/address-limit.ts). Past the limit
 * a request is answered 429 before it writes anything; the first refusal of a window writes one
 * summary row to the trail, and later ones are only counted.
 */
import type { Middleware } from 'koa';
import { ApiProblem } from '../errors.js';
import { requestMeta } from '../http/request-meta.js';
import { recordRefusedSignIn } from '../session/service.js';
import type { ConsoleDeps } from './context.js';

export function limitSignInRoute(deps: ConsoleDeps, route: 'sign-in' | 'sso' | 'callback'): Middleware {
  return async (ctx, next) => {
    const { retryAfter, firstRefusal } = await deps.limits.consoleSignIn(route, ctx.ip);
    if (!retryAfter) return next();
    if (firstRefusal) {
      const reason = `rate limited at ${route}: later refusals this minute are counted, not recorded`;
      await recordRefusedSignIn(deps.sessions, { reason }, requestMeta(ctx));
    }
    ctx.set('Retry-After', String(retryAfter));
    throw new ApiProblem(429, 'rate_limited', 'Too many sign-in attempts', `Retry in ${retryAfter} seconds.`);
  };
}
