/**
 * Everything one token's page shows, for its owner and for an administrator: the trail with
 * names, the token a rotation replaced it with, who may act with it (by name), the result of
 * the last action, and whether Restore applies (pat/revocation.ts decides, as for the API).
 */
import type { Context } from 'koa';
import { z } from 'zod';
import { presentPat } from '../api/presenters.js';
import { findPatSuccessor, type PatRow } from '../pat/repository.js';
import { restoreRefusal } from '../pat/revocation.js';
import { type ConsoleDeps, viewerOf } from './context.js';
import { eventsPage } from './events.js';
import { mayActShown } from './may-act-form.js';
import type { TokenPageProps } from './views/token.js';
import { DONE, type Done } from './views/token-manage.js';

const doneQuery = z.object({ done: z.enum(Object.keys(DONE) as [Done, ...Done[]]).optional() });

/** `?done=` after a 303 from an action; anything else is ignored (it only picks a fixed message). */
export function doneOf(ctx: Context): Done | undefined {
  const parsed = doneQuery.safeParse(ctx.query);
  return parsed.success ? parsed.data.done : undefined;
}

export async function tokenPageProps(
  deps: ConsoleDeps,
  ctx: Context,
  pat: PatRow,
  view: { admin: boolean; base: string; back: string; owner?: string | undefined },
): Promise<TokenPageProps> {
  const viewer = viewerOf(ctx);
  const trail = await eventsPage(deps, ctx, pat.id, pat.user_id);
  const successor = pat.revocation_kind === 'rotation' ? await findPatSuccessor(deps.db, pat.id) : null;
  return {
    viewer,
    pat: presentPat(pat, deps.clock()),
    ...trail,
    ...view,
    now: deps.clock(),
    done: doneOf(ctx),
    successor,
    mayAct: await mayActShown(deps.db, pat.may_act),
    restoreRefusal: restoreRefusal(pat.revocation_kind, { admin: viewer.admin }),
  };
}
