/** `/api/v1`: the REST API (docs/design.md, "REST API"). */
import type { Middleware } from 'koa';
import compose from 'koa-compose';
import { requireCaller } from '../auth/bearer.js';
import { jwtAuthenticator } from '../auth/jwt.js';
import type { KeyRing } from '../keys/keyring.js';
import type { ApiDeps } from './context.js';
import { SERVED_OPERATIONS } from './openapi/route.js';
import { routerOf } from './operation.js';
import { authenticatedRoutes, openRoutes } from './routing.js';

/**
 * Every router of `/api/v1`: those anyone may call (operations declared with `scope: null`), and
 * those that need a caller (the routes tests check each one's spellings).
 */
export function apiRouters(deps: ApiDeps) {
  return {
    open: [
      routerOf(
        SERVED_OPERATIONS.filter((op) => op.scope === null),
        deps,
      ),
    ],
    authenticated: [
      routerOf(
        SERVED_OPERATIONS.filter((op) => op.scope !== null),
        deps,
      ),
    ],
  };
}

export function apiRouter(deps: ApiDeps & { keys: () => KeyRing }): Middleware {
  const { db, clock, config, patLookup, usage, limits } = deps;
  // Credentials refused for their PAT's address are audited with the exchange rows (batched).
  const audit = deps.recordExchange;
  const authenticateJwt = jwtAuthenticator({ db, clock, issuer: config.issuer, keys: deps.keys, audit });
  const authenticate = requireCaller({
    patLookup,
    clock,
    prefix: config.tokens.prefix,
    usage,
    limits,
    authenticateJwt,
    audit,
    dpop: deps.dpop,
  });
  const routers = apiRouters(deps);
  return compose([
    ...routers.open.map(openRoutes),
    ...routers.authenticated.map((router) => authenticatedRoutes(router, authenticate)),
  ]);
}
