/**
 * SSO sign-in (docs/design.md, "Console and sign-in"): `/console/sso` sends the browser to the IdP;
 * `/console/callback` (the redirect URI `<issuer>/console/callback`) finishes it. The state is
 * both in a cookie of this browser and in a database row taken once, so a tampered state, a
 * callback in another browser or a replayed callback ends on an error page, never a session.
 */
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { ApiProblem } from '../errors.js';
import { requestMeta } from '../http/request-meta.js';
import { hashSessionSecret } from '../session/secret.js';
import { openSession, recordRefusedSignIn } from '../session/service.js';
import { SsoClient } from '../session/sso-client.js';
import { consumePendingSignIn, insertPendingSignIn, sweepPendingSignIns } from '../session/sso-repository.js';
import { userForSignIn } from '../session/sso-users.js';
import type { ConsoleDeps } from './context.js';
import { clearCookie, readCookie, setCookie } from './cookies.js';
import { safeReturnTo } from './return-to.js';
import { startSession } from './sign-in.js';
import { limitSignInRoute } from './sign-in-limit.js';

/** A sign-in must come back from the IdP within this long. */
const PENDING_MS = 10 * 60_000;

const signInFailed = (detail: string) => new ApiProblem(400, 'sign_in_failed', 'Sign-in failed', detail);
const unreachable = () =>
  new ApiProblem(
    502,
    'idp_unreachable',
    'Sign-in is unavailable',
    'The identity provider cannot be reached. Try again shortly.',
  );

async function begin(ctx: Context, deps: ConsoleDeps, sso: SsoClient) {
  const start = await sso.start().catch((error) => {
    deps.logger.warn({ err: error }, 'SSO discovery failed');
    throw unreachable();
  });
  const now = deps.clock();
  await sweepPendingSignIns(deps.db, new Date(now.getTime() - PENDING_MS));
  await insertPendingSignIn(deps.db, {
    stateHash: hashSessionSecret(start.state),
    code_verifier: start.codeVerifier,
    nonce: start.nonce,
    return_to: safeReturnTo(ctx.query.return_to),
    createdAt: now,
    address: ctx.ip,
  });
  setCookie(ctx, deps.cookies, deps.cookies.signIn, start.state, PENDING_MS / 1000);
  ctx.redirect(start.url.href);
}

async function refuse(ctx: Context, deps: ConsoleDeps, reason: string, detail: string): Promise<never> {
  await recordRefusedSignIn(deps.sessions, { reason: `sso: ${reason}` }, requestMeta(ctx));
  throw signInFailed(detail);
}

/** The sign-in this callback finishes: started in this browser (state cookie), and not used before. */
async function pendingSignIn(ctx: Context, deps: ConsoleDeps) {
  const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
  const expectedState = readCookie(ctx, deps.cookies.signIn);
  clearCookie(ctx, deps.cookies, deps.cookies.signIn);
  if (typeof ctx.query.error === 'string') {
    const error = ctx.query.error.slice(0, 64);
    await refuse(ctx, deps, `idp error ${error}`, `The identity provider refused the sign-in (${error}).`);
  }
  if (!state || state !== expectedState)
    await refuse(ctx, deps, 'state mismatch', 'This sign-in was not started in this browser. Start again.');
  const now = deps.clock();
  const notBefore = new Date(now.getTime() - PENDING_MS);
  const pending = await consumePendingSignIn(deps.db, hashSessionSecret(state), now, notBefore);
  if (!pending)
    await refuse(
      ctx,
      deps,
      'unknown or used state',
      'This sign-in has expired or was already used. Start again.',
    );
  return { state, pending: pending as NonNullable<typeof pending> };
}

async function complete(ctx: Context, deps: ConsoleDeps, sso: SsoClient) {
  const { state, pending } = await pendingSignIn(ctx, deps);
  const callback = new URL(`${deps.config.issuer}/console/callback${ctx.search}`);
  const expected = { state, nonce: pending.nonce, codeVerifier: pending.code_verifier };
  const claims = await sso.finish(callback, expected).catch((error: { code?: string; error?: string }) => {
    const code = error.code ?? error.error ?? '';
    deps.logger.info({ code }, 'SSO callback refused');
    const detail = 'The identity provider response could not be verified. Start again.';
    return refuse(ctx, deps, `callback refused ${code}`.trim(), detail);
  });
  const meta = requestMeta(ctx);
  const users = { db: deps.db, clock: deps.clock, scopes: deps.config.scopes };
  const user = await userForSignIn(users, sso.settings, claims, meta).catch(async (error: unknown) => {
    if (error instanceof ApiProblem)
      await recordRefusedSignIn(deps.sessions, { reason: `sso: ${error.code}` }, meta);
    throw error;
  });
  const signIn = { user, kind: 'sso' as const, pat: null, via: `sso ${sso.settings.issuer}` };
  await startSession(ctx, deps, await openSession(deps.sessions, signIn, meta), pending.return_to);
}

export function ssoRoutes(deps: ConsoleDeps): Router {
  const router = new Router({ sensitive: true });
  const settings = deps.config.login.oidc;
  if (!settings) return router;
  const sso = new SsoClient(settings, `${deps.config.issuer}/console/callback`);
  router.get('/console/sso', limitSignInRoute(deps, 'sso'), (ctx) => begin(ctx, deps, sso));
  router.get('/console/callback', limitSignInRoute(deps, 'callback'), (ctx) => complete(ctx, deps, sso));
  return router;
}
