/**
 * What a person does to one of their tokens from its page or the list: revoke, restore, delete,
 * rotate, and its delegation settings (`may_act`, `require_dpop`). Each calls the service
 * function the API calls (pat/service.ts) with the session as the actor, then answers 303 to a
 * page that says what happened (role=status), so a reload repeats a GET, never the change.
 */
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { type MayAct, principalKey } from '../delegation/may-act.js';
import { pathId } from '../http/params.js';
import type { PatRow } from '../pat/repository.js';
import { deletePat, getPat, restorePat, revokePat, rotatePat, updatePatSettings } from '../pat/service.js';
import { patContext } from '../services.js';
import { followRotatedPat } from '../session/repository.js';
import { actorOfSession, type ConsoleDeps, seeOther, sendPage, sessionOf, viewerOf } from './context.js';
import { parseForm } from './form.js';
import { mayActFromText, mayActText } from './may-act-form.js';
import { formErrors, sendIssued } from './token-form.js';
import { tokenPageProps } from './token-page.js';
import { tokenPage } from './views/token.js';

const settingsForm = z.object({
  may_act: z.string().max(4000).default(''),
  require_dpop: z.literal('on').optional(),
});
type SettingsValues = { may_act: string; require_dpop: boolean };

/** The owner's page of `pat`, with the settings form (its stored values, or the ones just refused). */
export async function ownTokenPage(
  deps: ConsoleDeps,
  ctx: Context,
  pat: PatRow,
  refused?: { errors: string[]; values: SettingsValues },
) {
  const props = await tokenPageProps(deps, ctx, pat, {
    admin: false,
    base: '/console/tokens',
    back: '/console/tokens',
  });
  const values = refused?.values ?? { may_act: mayActText(props.mayAct), require_dpop: pat.require_dpop };
  const settings = {
    viewer: viewerOf(ctx),
    action: `/console/tokens/${pat.id}/settings`,
    errors: refused?.errors ?? [],
    values,
  };
  // A token that can never work again (expired, or revoked for good) has nothing left to set.
  const live = pat.revoked_at === null ? props.pat.status === 'active' : props.restoreRefusal === null;
  return live || refused ? { ...props, settings } : props;
}

/** Compared entry by entry (a stored jsonb list comes back with its keys in another order). */
const mayActKey = (mayAct: MayAct | null) =>
  (mayAct ?? []).map((e) => `${principalKey(e)}=${[...(e.scopes ?? [])].sort().join(' ')}`).join('\n');
const sameMayAct = (a: MayAct | null, b: MayAct | null) => mayActKey(a) === mayActKey(b);

/**
 * PATCH semantics: only what changed is sent, to the service function `PATCH /api/v1/tokens/{id}`
 * calls (one transaction, one `pat.updated` row); nothing changed, nothing written.
 */
async function saveSettings(ctx: Context, deps: ConsoleDeps) {
  const pats = patContext(deps);
  const ownerId = sessionOf(ctx).user.id;
  const pat = await getPat(pats, pathId(ctx.params.id, 'token'), ownerId);
  const form = await parseForm(ctx, settingsForm);
  const values = { may_act: form.may_act, require_dpop: form.require_dpop === 'on' };
  try {
    const mayAct = await mayActFromText(deps.db, form.may_act);
    const change = {
      ...(sameMayAct(mayAct, pat.may_act) ? {} : { mayAct }),
      ...(values.require_dpop === pat.require_dpop ? {} : { requireDpop: values.require_dpop }),
    };
    if (Object.keys(change).length > 0)
      await updatePatSettings(pats, pat.id, ownerId, change, actorOfSession(ctx));
    seeOther(ctx, `/console/tokens/${pat.id}?done=saved`);
  } catch (error) {
    const errors = formErrors(error);
    const current = await getPat(pats, pat.id, ownerId);
    const status = (error as { status?: number }).status ?? 400;
    sendPage(ctx, tokenPage(await ownTokenPage(deps, ctx, current, { errors, values })), status);
  }
}

export function tokenActionRoutes(deps: ConsoleDeps, router: Router) {
  const pats = patContext(deps);
  const owner = (ctx: Context) => sessionOf(ctx).user.id;
  const id = (ctx: Context) => pathId(ctx.params.id, 'token');

  router.post('/console/tokens/:id/revoke', async (ctx) => {
    const pat = await revokePat(pats, id(ctx), owner(ctx), actorOfSession(ctx));
    seeOther(ctx, `/console/tokens/${pat.id}?done=revoked`);
  });
  router.post('/console/tokens/:id/restore', async (ctx) => {
    const pat = await restorePat(pats, id(ctx), owner(ctx), actorOfSession(ctx));
    seeOther(ctx, `/console/tokens/${pat.id}?done=restored`);
  });
  router.post('/console/tokens/:id/delete', async (ctx) => {
    await deletePat(pats, id(ctx), owner(ctx), actorOfSession(ctx));
    seeOther(ctx, '/console/tokens?done=deleted');
  });
  router.post('/console/tokens/:id/rotate', async (ctx) => {
    const actor = actorOfSession(ctx);
    const pat = await getPat(pats, id(ctx), owner(ctx));
    const issued = await rotatePat(pats, pat.id, owner(ctx), actor);
    await followRotatedPat(deps.db, sessionOf(ctx).id, pat.id, issued.pat.id);
    await sendIssued(ctx, deps, issued, `/console/tokens/${issued.pat.id}`);
  });
  router.post('/console/tokens/:id/settings', (ctx) => saveSettings(ctx, deps));
}
