/**
 * What every console request passes: security headers; for state-changing requests the Origin
 * check (and, once signed in, the per-session CSRF token); and, behind sign-in, a session read
 * fresh from the database, so sign-out and user or PAT changes end it at once on every instance.
 */
import type { Context, Middleware, Next } from 'koa';
import { ApiProblem } from '../errors.js';
import { csrfTokenMatches } from '../session/secret.js';
import { resolveSession } from '../session/service.js';
import { type ConsoleDeps, sessionOf } from './context.js';
import { clearCookie, readCookie } from './cookies.js';
import { formOf } from './form.js';

/** CSP without 'unsafe-inline': scripts and styles are files under /console/assets. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function securityHeaders(): Middleware {
  return async (ctx: Context, next: Next) => {
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    await next();
  };
}

const csrfRefused = () =>
  new ApiProblem(
    403,
    'csrf',
    'Request refused',
    'This form was not sent from a Tessera page. Reload the page and try again.',
  );

/**
 * A state-changing request must come from one of our own pages: its Origin is the issuer's
 * origin, the one address the console is published at. Not the request's own Host: a
 * DNS-rebound name or a trusted proxy's `X-Forwarded-Host` makes Host agree with any Origin.
 * With `Referrer-Policy: no-referrer` browsers send `Origin: null` on form posts, so a null
 * Origin is accepted only with the browser's own `Sec-Fetch-Site: same-origin` (Fetch
 * Metadata), which a page of another site cannot set.
 */
export function sameOrigin(issuer: string): Middleware {
  const allowed = new URL(issuer).origin;
  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      const origin = ctx.get('origin');
      const fromUs =
        origin === allowed ||
        ((origin === 'null' || origin === '') && ctx.get('sec-fetch-site') === 'same-origin');
      if (!fromUs) throw csrfRefused();
    }
    await next();
  };
}

function signInRedirect(ctx: Context) {
  const returnTo = ctx.method === 'GET' ? ctx.url : '/console/tokens';
  ctx.status = 303;
  ctx.redirect(`/console/sign-in?${new URLSearchParams({ return_to: returnTo })}`);
}

/** Sets `ctx.state.session`, or sends the browser to sign-in (clearing a dead cookie). */
export function requireSession(deps: ConsoleDeps): Middleware {
  return async (ctx: Context, next: Next) => {
    const secret = readCookie(ctx, deps.cookies.session);
    const session = await resolveSession(deps.sessions, secret, ctx.ip || null);
    if (!session) {
      if (secret !== undefined) clearCookie(ctx, deps.cookies, deps.cookies.session);
      return signInRedirect(ctx);
    }
    ctx.state.session = session;
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      const form = await formOf(ctx);
      if (!csrfTokenMatches(session.secret, form._csrf)) throw csrfRefused();
    }
    await next();
  };
}

/** 404 for pages of a scope the session does not hold, as the API answers another user's id. */
export function requireSessionScope(scope: string): Middleware {
  return async (ctx: Context, next: Next) => {
    if (!sessionOf(ctx).scopes.includes(scope)) throw new ApiProblem(404, 'not_found', 'Page not found');
    await next();
  };
}
