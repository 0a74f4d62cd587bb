/**
 * A person's token pages. Every change goes through the same service functions as
 * `/api/v1/tokens` (pat/service.ts), with the session as the actor.
 */
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { patContext } from '../api/context.js';
import { parseQuery } from '../api/http.js';
import { patPage, presentPat } from '../api/presenters.js';
import { pageQuery, patFilterOf, pathId, patStatusSchema } from '../api/schemas.js';
import { ApiProblem } from '../errors.js';
import { assertMayCreateOwnToken } from '../pat/policy.js';
import { createPat, deletePat, getPat, restorePat, revokePat, rotatePat } from '../pat/service.js';
import { TOKENS_SCOPE } from '../scopes.js';
import { followRotatedPat } from '../session/repository.js';
import { actorOfSession, type ConsoleDeps, seeOther, sendPage, sessionOf, viewerOf } from './context.js';
import { eventsPage } from './events.js';
import { expiresInDaysOf, expiryChoices } from './expiry-choices.js';
import { parseForm } from './form.js';
import { requireSessionScope } from './guard.js';
import {
  allowedCidrsOf,
  formErrors,
  grantableScopes,
  newTokenForm,
  patLimitsOf,
  sendIssued,
} from './token-form.js';
import { confirmPage, tokenPage } from './views/token.js';
import { newTokenPage, tokensPage } from './views/tokens.js';

export const listQuery = z.object({ status: patStatusSchema.or(z.literal('')).optional(), ...pageQuery });
async function createFromForm(ctx: Context, deps: ConsoleDeps) {
  const session = sessionOf(ctx);
  const form = await parseForm(ctx, newTokenForm);
  const scopes = grantableScopes(deps, session.user, actorOfSession(ctx));
  try {
    const actor = actorOfSession(ctx);
    const request = {
      ...patLimitsOf(form),
      expiresInDays: expiresInDaysOf(form.expiration),
      allowedCidrs: allowedCidrsOf(form.allowed_cidrs),
    };
    const issued = await createPat(patContext(deps), session.user, request, actor);
    return await sendIssued(ctx, deps, issued, '/console/tokens');
  } catch (error) {
    const page = newTokenPage({
      viewer: viewerOf(ctx),
      action: '/console/tokens',
      scopes,
      expiries: expiryChoices(deps.config.tokens, form.expiration),
      errors: formErrors(error),
      values: form,
    });
    sendPage(ctx, page, error instanceof ApiProblem ? error.status : 400);
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
    const page = await patPage(deps.db, patFilterOf({ ...query, status }, owner(ctx), deps.clock()));
    sendPage(
      ctx,
      tokensPage({
        viewer: viewerOf(ctx),
        pats: page.items,
        nextCursor: page.next_cursor,
        status,
        now: deps.clock(),
      }),
    );
  });

  router.get('/console/tokens/new', async (ctx) => {
    const session = sessionOf(ctx);
    const scopes = grantableScopes(deps, session.user, actorOfSession(ctx));
    const values = { name: '', scopes: [] };
    const expiries = expiryChoices(deps.config.tokens);
    sendPage(
      ctx,
      newTokenPage({
        viewer: viewerOf(ctx),
        action: '/console/tokens',
        scopes,
        expiries,
        errors: [],
        values,
      }),
    );
  });

  router.post('/console/tokens', async (ctx) => {
    assertMayCreateOwnToken(sessionOf(ctx).user);
    await createFromForm(ctx, deps);
  });

  router.get('/console/tokens/:id', async (ctx) => {
    const pat = await getPat(pats, pathId(ctx.params.id, 'token'), owner(ctx));
    const trail = await eventsPage(deps, ctx, pat.id);
    sendPage(
      ctx,
      tokenPage({
        viewer: viewerOf(ctx),
        pat: presentPat(pat, deps.clock()),
        ...trail,
        now: deps.clock(),
        back: '/console/tokens',
      }),
    );
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

  router.post('/console/tokens/:id/revoke', async (ctx) => {
    await revokePat(pats, pathId(ctx.params.id, 'token'), owner(ctx), actorOfSession(ctx));
    seeOther(ctx, '/console/tokens');
  });
  router.post('/console/tokens/:id/restore', async (ctx) => {
    await restorePat(pats, pathId(ctx.params.id, 'token'), owner(ctx), actorOfSession(ctx));
    seeOther(ctx, '/console/tokens');
  });
  router.post('/console/tokens/:id/delete', async (ctx) => {
    await deletePat(pats, pathId(ctx.params.id, 'token'), owner(ctx), actorOfSession(ctx));
    seeOther(ctx, '/console/tokens');
  });
  router.post('/console/tokens/:id/rotate', async (ctx) => {
    const actor = actorOfSession(ctx);
    const pat = await getPat(pats, pathId(ctx.params.id, 'token'), owner(ctx));
    const issued = await rotatePat(pats, pat.id, owner(ctx), actor);
    await followRotatedPat(deps.db, sessionOf(ctx).id, pat.id, issued.pat.id);
    await sendIssued(ctx, deps, issued, '/console/tokens');
  });

  return router;
}
