/**
 * How `/api/v1` routes are matched and guarded (docs/design.md: paths match case-sensitively and
 * exactly). @koa/router matches case-insensitively by default, and a router's `use()`
 * middleware was matched differently from its routes: `/API/v1/me` reached the handler without
 * the authentication in front of it. Here every router is exact, and authentication is not a
 * route's option but where its router is mounted, decided by the router's own matcher.
 */
import { Router } from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import compose from 'koa-compose';

export const API_PREFIX = '/api/v1';

/** A router for routes under `/api/v1`: `/API/v1/...`, `/api/v1/me/` and `//` spellings do not match. */
export function exactRouter(): Router {
  return new Router({ prefix: API_PREFIX, sensitive: true, strict: true });
}

/** Dispatches to `router` (with its 405s) when one of its routes matches the path, else passes on. */
function mounted(router: Router, before: Middleware[]): Middleware {
  const chain = compose([...before, router.routes() as Middleware, router.allowedMethods() as Middleware]);
  return (ctx: Context, next: Next) =>
    router.match(ctx.path, ctx.method).path.length > 0 ? chain(ctx, next) : next();
}

/** Routes anyone may call (e.g. a leaked-credential report). */
export const openRoutes = (router: Router): Middleware => mounted(router, []);

/**
 * Routes that require a caller: `authenticate` runs for every request any of them matches,
 * before any of its middleware, so a route added to one of these routers cannot skip it.
 */
export const authenticatedRoutes = (router: Router, authenticate: Middleware): Middleware =>
  mounted(router, [authenticate]);
