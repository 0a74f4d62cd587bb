/** `/api/v1/users`: administrators manage users and create tokens for them (service accounts). */
import type { Router } from '@koa/router';
import { z } from 'zod';
import { requireScope } from '../auth/bearer.js';
import { toPage } from '../db/keyset.js';
import { notFound } from '../errors.js';
import { jsonBody } from '../http/json-body.js';
import { pageQuery, pathId } from '../http/params.js';
import { parseBody, parseQuery } from '../http/parse.js';
import { createPat } from '../pat/service.js';
import { ADMIN_SCOPE } from '../scopes.js';
import { patContext } from '../services.js';
import { findUserById, listUsers } from '../users/repository.js';
import { createUser, deleteUser, setDisabled } from '../users/service.js';
import { updateUser } from '../users/update.js';
import type { ApiDeps } from './context.js';
import { actorOf } from './http.js';
import { presentIssuedPat, presentUser } from './presenters.js';
import { exactRouter } from './routing.js';
import { newPatBody } from './schemas.js';

const username = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, {
  error: 'expected 1-63 characters: letters, digits, . _ -, starting with a letter or digit',
});
const entitlements = z.array(z.string().max(64)).max(100);
/** Where the user's email notices go (docs/design.md, "Notifications to people (email)"). */
const email = z.email({ error: 'expected an email address' }).max(254);
export const newUserBody = z.strictObject({
  username,
  email: email.nullable().optional(),
  entitlements: entitlements.optional(),
  admin: z.boolean().optional(),
  service: z.boolean().optional(),
});
export const userChangeBody = z
  .strictObject({
    username: username.optional(),
    entitlements: entitlements.optional(),
    admin: z.boolean().optional(),
    email: email.nullable().optional(),
  })
  .refine((change) => Object.keys(change).length > 0, {
    error: 'name at least one of username, entitlements, admin, email',
  });
export const emptyBody = z.strictObject({});
export const listQuery = z.object(pageQuery);

export function userRoutes(deps: ApiDeps): Router {
  const users = { db: deps.db, clock: deps.clock, scopes: deps.config.scopes };
  const admin = requireScope(ADMIN_SCOPE);
  const router = exactRouter();

  router.post('/users', admin, jsonBody(), async (ctx) => {
    const user = await createUser(users, parseBody(ctx, newUserBody), actorOf(ctx));
    ctx.status = 201;
    ctx.body = presentUser(user);
  });

  router.get('/users', admin, async (ctx) => {
    const query = parseQuery(ctx, listQuery);
    const rows = await listUsers(deps.db, query.limit, query.cursor ?? null);
    ctx.body = toPage(rows, query.limit, presentUser);
  });

  router.get('/users/:id', admin, async (ctx) => {
    const user = await findUserById(deps.db, pathId(ctx.params.id, 'user'));
    if (!user) throw notFound('user');
    ctx.body = presentUser(user);
  });

  router.patch('/users/:id', admin, jsonBody(), async (ctx) => {
    const change = parseBody(ctx, userChangeBody);
    ctx.body = presentUser(await updateUser(users, pathId(ctx.params.id, 'user'), change, actorOf(ctx)));
  });

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    router.post(`/users/:id/${action}`, admin, jsonBody(), async (ctx) => {
      parseBody(ctx, emptyBody);
      ctx.body = presentUser(await setDisabled(users, pathId(ctx.params.id, 'user'), disabled, actorOf(ctx)));
    });
  }

  router.delete('/users/:id', admin, async (ctx) => {
    await deleteUser(users, pathId(ctx.params.id, 'user'), actorOf(ctx));
    ctx.status = 204;
  });

  router.post('/users/:id/tokens', admin, jsonBody(), async (ctx) => {
    const body = parseBody(ctx, newPatBody);
    const owner = await findUserById(deps.db, pathId(ctx.params.id, 'user'));
    if (!owner) throw notFound('user');
    const request = {
      name: body.name,
      scopes: body.scopes,
      expiresInDays: body.expires_in_days,
      allowedCidrs: body.allowed_cidrs,
      mayAct: body.may_act,
      requireDpop: body.require_dpop,
    };
    const issued = await createPat(patContext(deps), owner, request, actorOf(ctx));
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = presentIssuedPat(issued, deps.clock());
  });

  return router;
}
