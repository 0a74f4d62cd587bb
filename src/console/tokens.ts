/**
 * A person's token pages. Every change goes through the same service functions as
 * `/api/v1/tokens` (pat/service.ts), with the session as the actor.
 */
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { patPage } from '../api/presenters.js';
import { patFilterOf, patStatusSchema } from '../api/schemas.js';
import { ApiProblem } from '../errors.js';
import { pageQuery, pathId } from '../http/params.js';
import { parseQuery } from '../http/parse.js';
import { assertMayCreateOwnToken, expiryDateRange } from '../pat/policy.js';
import { createPat, getPat } from '../pat/service.js';
import { TOKENS_SCOPE } from '../scopes.js';
import { patContext } from '../services.js';
import { actorOfSession, type ConsoleDeps, sendPage, sessionOf, viewerOf } from './context.js';
import { expiresInDaysOf, expiryChoices } from './expiry-choices.js';
import { parseForm } from './form.js';
import { requireSessionScope } from './guard.js';
import { mayActFromText } from './may-act-form.js';
import { ownTokenPage, tokenActionRoutes } from './token-actions.js';
import {
  allowedCidrsOf,
  formErrors,
  grantableScopes,
  newTokenForm,
  patLimitsOf,
  sendIssued,
} from './token-form.js';
import { doneOf } from './token-page.js';
import { confirmPage, tokenPage } from './views/token.js';
import { newTokenPage, tokensPage } from './views/tokens.js';

export const listQuery = z.object({
  status: patStatusSchema.or(z.literal('')).optional(),
  /** Search by name (a part of it, any case). */
  name: z.string().trim().max(100).optional(),
  ...pageQuery,
});

/** A person's own new token: the shared form plus an exact expiry date and delegation settings. */
const ownTokenForm = newTokenForm.extend({
  expiration: z
    .string()
    .regex(/^(\d{1,5}|never|date)?$/, { error: 'choose an expiration from the list' })
    .optional(),
  expires_on: z.string().max(10).default(''),
  may_act: z.string().max(4000).default(''),
  require_dpop: z.literal('on').optional(),
});

async function createFromForm(ctx: Context, deps: ConsoleDeps) {
  const session = sessionOf(ctx);
  const form = await parseForm(ctx, ownTokenForm);
  const scopes = grantableScopes(deps, session.user, actorOfSession(ctx));
  try {
    const actor = actorOfSession(ctx);
    const request = {
      ...patLimitsOf(form),
      expiresInDays: expiresInDaysOf(form.expiration),
      allowedCidrs: allowedCidrsOf(form.allowed_cidrs),
      ...(form.expiration === 'date' ? { expiresInDays: undefined, expiresOn: form.expires_on } : {}),
      mayAct: await mayActFromText(deps.db, form.may_act),
      requireDpop: form.require_dpop === 'on',
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
      own: ownFields(deps, form),
    });
    sendPage(ctx, page, error instanceof ApiProblem ? error.status : 400);
  }
}

/** The new-token form's fields for a person's own token: the date range comes from pat/policy.ts. */
function ownFields(
  deps: ConsoleDeps,
  values: { expires_on?: string; may_act?: string; require_dpop?: string },
) {
  return {
    dateRange: expiryDateRange(deps.config.tokens, deps.clock()),
    expiresOn: values.expires_on ?? '',
    mayAct: values.may_act ?? '',
    requireDpop: values.require_dpop === 'on',
  };
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
        own: ownFields(deps, {}),
      }),
    );
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
