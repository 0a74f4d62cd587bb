/**
 * The web console under `/console` (docs/design.md, "Console and sign-in"): server-rendered pages
 * over the same services as `/api/v1`. Errors become a page (a 4xx that says what happened);
 * unexpected faults are logged and shown as a bare 500 page, never a stack trace.
 */
import { Router } from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import compose from 'koa-compose';
import { ApiProblem } from '../errors.js';
import { type DatabaseRefusal, databaseRefusal } from '../http/database-errors.js';
import type { Services } from '../services.js';
import { adminRoutes } from './admin.js';
import { consoleAssets } from './assets.js';
import { type ConsoleDeps, consoleDeps, sendPage, viewerOf } from './context.js';
import { requireSession, sameOrigin, securityHeaders } from './guard.js';
import { sessionRoutes } from './sessions.js';
import { signInRoutes } from './sign-in.js';
import { ssoRoutes } from './sso.js';
import { tokenRevealRoutes } from './token-reveal.js';
import { tokenRoutes } from './tokens.js';
import { errorPage } from './views/error.js';

/** The console's words for a request the database refused (`http/database-errors.ts` decides which). */
const DATABASE_REFUSALS: Record<DatabaseRefusal, () => ApiProblem> = {
  unavailable: () =>
    new ApiProblem(
      503,
      'service_unavailable',
      'Service unavailable',
      'The database cannot be reached. Retry shortly.',
    ),
  unstorable_text: () =>
    new ApiProblem(
      400,
      'invalid_request',
      'Invalid input',
      'The form contains characters that cannot be stored.',
    ),
  out_of_range: () =>
    new ApiProblem(
      400,
      'invalid_request',
      'Invalid input',
      'The form holds a value out of the range that can be stored.',
    ),
};

/** The page for a database error that is not a fault of ours, or null. */
export function databasePageProblem(error: unknown): ApiProblem | null {
  const refusal = databaseRefusal(error);
  return refusal ? DATABASE_REFUSALS[refusal]() : null;
}

function problemOf(error: unknown, deps: ConsoleDeps, ctx: Context): ApiProblem {
  if (error instanceof ApiProblem) return error;
  const fromDatabase = databasePageProblem(error);
  if (fromDatabase) return fromDatabase;
  deps.logger.error({ err: error, reqId: ctx.state.requestId }, 'unhandled console error');
  return new ApiProblem(500, 'internal_error', 'Something went wrong');
}

function errorPages(deps: ConsoleDeps): Middleware {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined)
        throw new ApiProblem(404, 'not_found', 'Page not found');
    } catch (error) {
      const problem = problemOf(error, deps, ctx);
      const viewer = ctx.state.session ? viewerOf(ctx) : null;
      const detail = problem.status === 500 ? undefined : problem.detail;
      sendPage(
        ctx,
        errorPage({ status: problem.status, title: problem.title, detail, viewer }),
        problem.status,
      );
    }
  };
}

export function consoleApp(api: Services): Middleware {
  const deps = consoleDeps(api);
  const signedIn = new Router({ sensitive: true });
  signedIn.use(requireSession(deps));
  for (const routes of [tokenRevealRoutes(deps), tokenRoutes(deps), sessionRoutes(deps), adminRoutes(deps)])
    signedIn.use(routes.routes(), routes.allowedMethods());
  const open = signInRoutes(deps);
  const pages = compose([
    securityHeaders(),
    errorPages(deps),
    consoleAssets(),
    sameOrigin(deps.config.issuer),
    open.routes(),
    ssoRoutes(deps).routes(),
    signedIn.routes(),
  ] as Middleware[]);
  return async (ctx, next) => {
    if (ctx.path === '/' || ctx.path === '/console') {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
      return ctx.redirect(ctx.path === '/' ? '/console' : '/console/tokens');
    }
    if (!ctx.path.startsWith('/console/')) return next();
    ctx.set('Cache-Control', 'no-store');
    return pages(ctx, next);
  };
}
