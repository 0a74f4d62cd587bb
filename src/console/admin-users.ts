/** `/console/admin/users`: create, change entitlements, disable, enable, delete; tokens for service accounts. */
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { presentUser } from '../api/presenters.js';
import { toPage } from '../db/keyset.js';
import { ApiProblem, notFound } from '../errors.js';
import { pageQuery, pathId } from '../http/params.js';
import { parseQuery } from '../http/parse.js';
import { createPat } from '../pat/service.js';
import { patContext } from '../services.js';
import { findUserById, listUsers } from '../users/repository.js';
import { createUser, deleteUser, setDisabled } from '../users/service.js';
import { updateUser } from '../users/update.js';
import { actorOfSession, type ConsoleDeps, seeOther, sendPage, viewerOf } from './context.js';
import { formStatus } from './field-errors.js';
import { parseForm } from './form.js';
import {
  expiryOffer,
  formErrors,
  grantableScopes,
  newTokenForm,
  patRequestOfForm,
  sendIssued,
} from './token-form.js';
import { confirmPage } from './views/token.js';
import { type NewTokenValues, newTokenPage } from './views/tokens.js';
import { userPage, usersPage } from './views/users.js';

const list = z
  .union([z.string(), z.array(z.string())])
  .default([])
  .transform((s) => [...new Set([s].flat())]);
const newUserForm = z.object({
  username: z.string().trim().max(100).default(''),
  entitlements: list,
  service: z.literal('true').optional(),
});
const entitlementsForm = z.object({ entitlements: list });

export function adminUserRoutes(deps: ConsoleDeps): Router {
  const router = new Router({ sensitive: true });
  const users = { db: deps.db, clock: deps.clock, scopes: deps.config.scopes };
  const catalogue = Object.entries(deps.config.scopes).map(([name, description]) => ({ name, description }));
  const userOr404 = async (ctx: Context) => {
    const user = await findUserById(deps.db, pathId(ctx.params.id, 'user'));
    if (!user) throw notFound('user');
    return user;
  };

  const renderUsers = async (
    ctx: Context,
    status = 200,
    errors: string[] = [],
    values = { username: '', entitlements: ['tessera:tokens'], service: false },
  ) => {
    const query = parseQuery(ctx, z.object(pageQuery));
    const page = toPage(
      await listUsers(deps.db, query.limit, query.cursor ?? null),
      query.limit,
      presentUser,
    );
    const props = {
      viewer: viewerOf(ctx),
      users: page.items,
      nextCursor: page.next_cursor,
      catalogue,
      errors,
      values,
    };
    sendPage(ctx, usersPage(props), status);
  };

  router.get('/users', (ctx) => renderUsers(ctx));

  router.post('/users', async (ctx) => {
    const form = await parseForm(ctx, newUserForm);
    const values = {
      username: form.username,
      entitlements: form.entitlements,
      service: form.service === 'true',
    };
    try {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(form.username)) {
        throw new ApiProblem(
          400,
          'invalid_request',
          'Invalid',
          'Username: 1-63 letters, digits, . _ -, starting with a letter or digit',
        );
      }
      const user = await createUser(
        users,
        { ...values, entitlements: form.entitlements },
        actorOfSession(ctx),
      );
      seeOther(ctx, `/console/admin/users/${user.id}`);
    } catch (error) {
      await renderUsers(ctx, error instanceof ApiProblem ? error.status : 400, formErrors(error), values);
    }
  });

  router.get('/users/:id', async (ctx) => {
    sendPage(
      ctx,
      userPage({ viewer: viewerOf(ctx), user: presentUser(await userOr404(ctx)), catalogue, errors: [] }),
    );
  });

  router.post('/users/:id/entitlements', async (ctx) => {
    const user = await userOr404(ctx);
    const form = await parseForm(ctx, entitlementsForm);
    await updateUser(users, user.id, { entitlements: form.entitlements }, actorOfSession(ctx));
    seeOther(ctx, `/console/admin/users/${user.id}`);
  });

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    router.post(`/users/:id/${action}`, async (ctx) => {
      await setDisabled(users, pathId(ctx.params.id, 'user'), disabled, actorOfSession(ctx));
      seeOther(ctx, '/console/admin/users');
    });
  }

  router.get('/users/:id/delete', async (ctx) => {
    const user = await userOr404(ctx);
    const consequence =
      'The user is removed and every token they hold is revoked for good. Their history stays.';
    const props = {
      viewer: viewerOf(ctx),
      verb: 'Delete',
      name: user.username,
      consequence,
      back: '/console/admin/users',
    };
    sendPage(ctx, confirmPage({ ...props, action: `/console/admin/users/${user.id}/delete` }));
  });
  router.post('/users/:id/delete', async (ctx) => {
    await deleteUser(users, pathId(ctx.params.id, 'user'), actorOfSession(ctx));
    seeOther(ctx, '/console/admin/users');
  });

  // An admin making a token for another user is bounded by that user's entitlements (docs/design.md),
  // and gets a person's form: the same fields, read by the same functions (token-form.ts).
  const tokenForm = async (ctx: Context, errors: string[], values: NewTokenValues, status = 200) => {
    const owner = await userOr404(ctx);
    const page = newTokenPage({
      viewer: viewerOf(ctx),
      action: `/console/admin/users/${owner.id}/tokens`,
      owner: owner.username,
      scopes: grantableScopes(deps, owner, actorOfSession(ctx)),
      ...expiryOffer(deps, values.expiration),
      errors,
      values,
    });
    sendPage(ctx, page, status);
  };

  router.get('/users/:id/tokens/new', (ctx) => tokenForm(ctx, [], { name: '', scopes: [] }));
  // The same service call as POST /api/v1/users/{id}/tokens (api/users.ts): createPat for the owner.
  router.post('/users/:id/tokens', async (ctx) => {
    const owner = await userOr404(ctx);
    const form = await parseForm(ctx, newTokenForm);
    try {
      const request = await patRequestOfForm(deps.db, form, owner.username);
      const issued = await createPat(patContext(deps), owner, request, actorOfSession(ctx));
      await sendIssued(ctx, deps, issued, `/console/admin/tokens/${issued.pat.id}`);
    } catch (error) {
      await tokenForm(ctx, formErrors(error), form, formStatus(error));
    }
  });

  return router;
}
