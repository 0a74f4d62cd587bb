/**
 * Sign-in with an access token (a PAT carrying `tessera:tokens`) and sign-out. The session then
 * holds only that PAT's scopes and ends when the PAT stops being usable. The token is read from
 * the form, hashed for the lookup and dropped: it is never logged, stored or audited.
 */
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { patCaller } from '../auth/bearer.js';
import { requestMeta } from '../http/request-meta.js';
import { TOKENS_SCOPE } from '../scopes.js';
import { openSession, recordRefusedSignIn, resolveSession, signOut } from '../session/service.js';
import { type ConsoleDeps, seeOther, sendPage, sessionOf } from './context.js';
import { readCookie, setCookie } from './cookies.js';
import { parseForm } from './form.js';
import { requireSession } from './guard.js';
import { safeReturnTo } from './return-to.js';
import { limitSignInRoute } from './sign-in-limit.js';
import { signInPage } from './views/sign-in.js';

const tokenSignInForm = z.object({
  token: z.string().trim().max(200).default(''),
  return_to: z.string().max(512).optional(),
});

/** One message whatever the cause, as at /token: no hint which tokens exist. */
const REFUSED = 'That access token cannot be used to sign in. It must be valid and carry tessera:tokens.';

/** Sets the new session's cookie; a session this browser still held is ended, not left behind. */
export async function startSession(ctx: Context, deps: ConsoleDeps, secret: string, returnTo: string) {
  const cookie = readCookie(ctx, deps.cookies.session);
  const previous = await resolveSession(deps.sessions, cookie, ctx.ip || null);
  if (previous) await signOut(deps.sessions, previous, requestMeta(ctx));
  setCookie(ctx, deps.cookies, deps.cookies.session, secret, deps.config.console.sessionMaxHours * 3600);
  seeOther(ctx, returnTo);
}

function renderSignIn(ctx: Context, deps: ConsoleDeps, returnTo: string, error?: string, status = 200) {
  const { login } = deps.config;
  sendPage(ctx, signInPage({ sso: !!login.oidc, tokenSignIn: login.tokenSignIn, returnTo, error }), status);
}

async function tokenSignIn(ctx: Context, deps: ConsoleDeps) {
  const form = await parseForm(ctx, tokenSignInForm);
  const returnTo = safeReturnTo(form.return_to);
  const meta = requestMeta(ctx);
  const bearer = { ...deps, prefix: deps.config.tokens.prefix };
  const presented = form.token ? await patCaller(bearer, form.token, meta.ip) : null;
  // A require_dpop PAT yields only proof-of-possession tokens, never a bearer session (docs/dpop.md).
  const caller = presented?.requireDpop ? null : presented;
  if (!caller?.scopes.includes(TOKENS_SCOPE)) {
    // Counted like any bad credential; past the limit, further bad ones are told to wait. A
    // usable token is never refused for its address's failures (as on /api/v1 and /token).
    const retryAfter = await deps.limits.recordFailedAuth(ctx.ip);
    const reason = caller
      ? 'token lacks tessera:tokens'
      : presented
        ? 'token requires DPoP'
        : 'unusable token';
    const who = caller ?? presented;
    await recordRefusedSignIn(deps.sessions, { userId: who?.user.id, patId: who?.patId, reason }, meta);
    if (retryAfter) {
      ctx.set('Retry-After', String(retryAfter));
      return renderSignIn(
        ctx,
        deps,
        returnTo,
        `Too many failed attempts. Retry in ${retryAfter} seconds.`,
        429,
      );
    }
    return renderSignIn(ctx, deps, returnTo, REFUSED, 400);
  }
  const pat = { id: caller.patId as string, scopes: caller.scopes };
  const secret = await openSession(
    deps.sessions,
    { user: caller.user, kind: 'token', pat, via: 'access token' },
    meta,
  );
  await startSession(ctx, deps, secret, returnTo);
}

export function signInRoutes(deps: ConsoleDeps): Router {
  const router = new Router({ sensitive: true });

  router.get('/console/sign-in', async (ctx) => {
    renderSignIn(ctx, deps, safeReturnTo(ctx.query.return_to));
  });

  router.post('/console/sign-in', limitSignInRoute(deps, 'sign-in'), async (ctx) => {
    if (!deps.config.login.tokenSignIn) return renderSignIn(ctx, deps, '/console/tokens', REFUSED, 404);
    await tokenSignIn(ctx, deps);
  });

  router.post('/console/sign-out', requireSession(deps), async (ctx) => {
    await signOut(deps.sessions, sessionOf(ctx), requestMeta(ctx));
    // The cookie is cleared too, but the row is what ends the session (for any copy of the cookie).
    if (readCookie(ctx, deps.cookies.session)) setCookie(ctx, deps.cookies, deps.cookies.session, '', 0);
    seeOther(ctx, '/console/sign-in');
  });

  return router;
}
