/** `/api/v1`: the REST API (DESIGN.md, "REST API"). */
import type { Router } from '@koa/router';
import type { Middleware } from 'koa';
import compose from 'koa-compose';
import { requireCaller } from '../auth/bearer.js';
import { jwtAuthenticator } from '../auth/jwt.js';
import type { KeyRing } from '../keys/keyring.js';
import { adminRoutes } from './admin.js';
import { catalogueRoutes } from './catalogue.js';
import type { ApiDeps } from './context.js';
import { credentialRoutes } from './credentials.js';
import { eventRoutes } from './events.js';
import { authenticatedRoutes, openRoutes } from './routing.js';
import { tokenRoutes } from './tokens.js';
import { userRoutes } from './users.js';

/** Every router whose routes require a caller; the routes tests check each one's spellings. */
export const authenticatedRouters = (deps: ApiDeps): Router[] => [
  catalogueRoutes(deps),
  tokenRoutes(deps),
  eventRoutes(deps),
  userRoutes(deps),
  adminRoutes(deps),
];

export function apiRouter(deps: ApiDeps & { keys: () => KeyRing }): Middleware {
  const { db, clock, config, patLookup, usage, limits } = deps;
  const authenticateJwt = jwtAuthenticator({ db, clock, issuer: config.issuer, keys: deps.keys });
  const authenticate = requireCaller({
    patLookup,
    clock,
    prefix: config.tokens.prefix,
    usage,
    limits,
    authenticateJwt,
  });
  return compose([
    // Unauthenticated by design (see credentials.ts).
    openRoutes(credentialRoutes(deps)),
    ...authenticatedRouters(deps).map((router) => authenticatedRoutes(router, authenticate)),
  ]);
}
