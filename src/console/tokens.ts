/**
 * A person's token pages. Every change goes through the same service functions as
 * `/api/v1/tokens` (pat/service.ts), with the session as the actor.
 */
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { patPage } from '../api/presenters.js';
import { patFilterOf, patStatusSchema } from '../api/schemas.js';
import { pageQuery, pathId } from '../http/params.js';
import { parseQuery } from '../http/parse.js';
import { assertMayCreateOwnToken } from '../pat/policy.js';
import { createPat, getPat } from '../pat/service.js';
import { TOKENS_SCOPE } from '../scopes.js';
import { patContext } from '../services.js';
import { actorOfSession, type ConsoleDeps, sendPage, sessionOf, viewerOf } from './context.js';
import { formStatus } from './field-errors.js';
import { parseForm } from './form.js';
import { requireSessionScope } from './guard.js';
import { ownTokenPage, tokenActionRoutes } from './token-actions.js';
import {
  expiryOffer,
  formErrors,
  grantableScopes,
  newTokenForm,
  patRequestOfForm,
  sendIssued,
} from './token-form.js';
import { doneOf } from './token-page.js';
import { confirmPage, tokenPage } from './views/token.js';
import { type NewTokenValues, newTokenPage, tokensPage } from './views/tokens.js';

export const listQuery = z.object({
  status: patStatusSchema.or(z.literal('')).optional(),
  /** Search by name (a part of it, any case). */
  name: z.string().trim().max(100).optional(),
  ...pageQuery,
});

/** The new-token page for a person's own token: the same fields as an admin's for a service account. */
function newOwnTokenPage(ctx: Context, deps: ConsoleDeps, errors: string[], values: NewTokenValues) {
  const session = sessionOf(ctx);
  return newTokenPage({
    viewer: viewerOf(ctx),
    action: '/console/tokens',
    scopes: grantableScopes(deps, session.user, actorOfSession(ctx)),
    ...expiryOffer(deps, values.expiration),
    errors,
    values,
  });
}

async function createFromForm(ctx: Context, deps: ConsoleDeps) {
  const form = await parseForm(ctx, newTokenForm);
  try {
    const request = await patRequestOfForm(deps.db, form);
    const issued = await createPat(patContext(deps), sessionOf(ctx).user, request, actorOfSession(ctx));
    return await sendIssued(ctx, deps, issued, '/console/tokens');
  } catch (error) {
    sendPage(ctx, newOwnTokenPage(ctx, deps, formErrors(error), form), formStatus(error));
  }
}

const CONFIRM = {
  revoke: ['Revoke', 'Every exchange with this token fails from now on. You can restore it later.'],
  rotate: ['Rotate', 'A new secret replaces this one, which stops working at once.'],
  delete: ['Delete', 'The token is removed from your list. Its history stays in the audit trail.'],
} as const;

export function tokenRoutes(deps: ConsoleDeps): Router {
  const router = new Router({ sensitive: true });
  const pats = patContext(deps);
  router.use(requireSessionScope(TOKENS_SCOPE));
  const owner = (ctx: Context) => sessionOf(ctx).user.id;

  router.get('/console/tokens', async (ctx) => {
    const query = parseQuery(ctx, listQuery);
    const status = query.status || undefined;
    const filter = patFilterOf({ ...query, status }, owner(ctx), deps.clock());
    const page = await patPage(deps.db, { ...filter, nameContains: query.name || undefined });
    sendPage(
      ctx,
      tokensPage({
        viewer: viewerOf(ctx),
        pats: page.items,
        nextCursor: page.next_cursor,
        status,
        name: query.name || undefined,
        done: doneOf(ctx),
        now: deps.clock(),
      }),
    );
  });

  router.get('/console/tokens/new', async (ctx) => {
    sendPage(ctx, newOwnTokenPage(ctx, deps, [], { name: '', scopes: [] }));
  });

  router.post('/console/tokens', async (ctx) => {
    assertMayCreateOwnToken(sessionOf(ctx).user);
    await createFromForm(ctx, deps);
  });

  router.get('/console/tokens/:id', async (ctx) => {
    const pat = await getPat(pats, pathId(ctx.params.id, 'token'), owner(ctx));
    sendPage(ctx, tokenPage(await ownTokenPage(deps, ctx, pat)));
  });

  for (const action of ['revoke', 'rotate', 'delete'] as const) {
    router.get(`/console/tokens/:id/${action}`, async (ctx) => {
      const pat = await getPat(pats, pathId(ctx.params.id, 'token'), owner(ctx));
      const [verb, consequence] = CONFIRM[action];
      const target = `/console/tokens/${pat.id}/${action}`;
      sendPage(
        ctx,
        confirmPage({
          viewer: viewerOf(ctx),
          verb,
          name: pat.name,
          action: target,
          consequence,
          back: '/console/tokens',
        }),
      );
    });
  }

  tokenActionRoutes(deps, router);
  return router;
}
