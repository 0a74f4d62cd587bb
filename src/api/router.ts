/** `/api/v1`: the REST API (DESIGN.md, "REST API"). */
import { Router } from '@koa/router';
import { requireCaller } from '../auth/bearer.js';
import { jwtAuthenticator } from '../auth/jwt.js';
import type { KeyRing } from '../keys/keyring.js';
import { adminRoutes } from './admin.js';
import { catalogueRoutes } from './catalogue.js';
import type { ApiDeps } from './context.js';
import { credentialRoutes } from './credentials.js';
import { eventRoutes } from './events.js';
import { openApiRoutes } from './openapi/route.js';
import { tokenRoutes } from './tokens.js';
import { userRoutes } from './users.js';
import { webhookRoutes } from './webhooks.js';

export function apiRouter(deps: ApiDeps & { keys: () => KeyRing }): Router {
  const api = new Router({ prefix: '/api/v1' });
  // Unauthenticated by design (see credentials.ts).
  const open = credentialRoutes(deps);
  api.use(open.routes(), open.allowedMethods());
  const description = openApiRoutes(deps);
  api.use(description.routes(), description.allowedMethods());

  const authenticated = new Router();
  const { db, clock, config } = deps;
  // Credentials refused for their PAT's address are audited with the exchange rows (batched).
  const audit = deps.recordExchange;
  const authenticateJwt = jwtAuthenticator({ db, clock, issuer: config.issuer, keys: deps.keys, audit });
  const { patLookup, usage, limits } = deps;
  const prefix = config.tokens.prefix;
  authenticated.use(requireCaller({ patLookup, clock, prefix, usage, limits, authenticateJwt, audit }));
  for (const routes of [
    catalogueRoutes(deps),
    tokenRoutes(deps),
    eventRoutes(deps),
    userRoutes(deps),
    adminRoutes(deps),
    webhookRoutes(deps),
  ]) {
    authenticated.use(routes.routes(), routes.allowedMethods());
  }
  api.use(authenticated.routes(), authenticated.allowedMethods());
  return api;
}
