/** `/api/v1/admin`: every user's tokens and oversight numbers (scope `tessera:admin`). */
import { z } from 'zod';
import { pageQuery, pathId } from '../http/params.js';
import { restorePat, revokePat } from '../pat/service.js';
import { patStats } from '../pat/stats.js';
import { ADMIN_SCOPE } from '../scopes.js';
import { patContext } from '../services.js';
import { resolveUserId } from '../users/resolve.js';
import { actorOf } from './http.js';
import { type Operation, operation } from './operation.js';
import { patPage, presentPat, presentStats } from './presenters.js';
import * as out from './response-schemas.js';
import { patFilterOf, patFilterQuery } from './schemas.js';
import { patPageSchema, restoreProblems } from './tokens.js';

export const listQuery = z.object({
  user: z.string().min(1).max(64).optional(),
  ...patFilterQuery,
  ...pageQuery,
});
export const emptyBody = z.strictObject({});

export const revokeBody = z.strictObject({ reason: z.string().trim().min(1).max(200).optional() });

export const adminOperations: Operation[] = [
  operation({
    method: 'get',
    path: '/admin/tokens',
    summary: "Every user's PATs",
    tag: 'admin',
    scope: ADMIN_SCOPE,
    query: listQuery,
    success: { status: 200, description: 'a page of PATs', schema: patPageSchema },
    async handle(ctx, { query }, deps) {
      const userId = query.user ? await resolveUserId(deps.db, query.user) : undefined;
      if (userId === null) {
        ctx.body = { items: [], next_cursor: null };
        return;
      }
      ctx.body = await patPage(deps.db, patFilterOf(query, userId, deps.clock()));
    },
  }),
  operation({
    method: 'post',
    path: '/admin/tokens/{id}/revoke',
    summary: "Revoke anyone's PAT",
    tag: 'admin',
    scope: ADMIN_SCOPE,
    body: revokeBody,
    success: { status: 200, description: 'the revoked PAT', schema: out.patSchema },
    async handle(ctx, { body }, deps) {
      const reason = body.reason ? `admin: ${body.reason}` : 'revoked by admin';
      const pat = await revokePat(patContext(deps), pathId(ctx.params.id, 'token'), null, actorOf(ctx), {
        kind: 'admin',
        reason,
      });
      ctx.body = presentPat(pat, deps.clock());
    },
  }),
  // An administrator's revocation is undone only here (or by an admin on their own token).
  operation({
    method: 'post',
    path: '/admin/tokens/{id}/restore',
    summary: "Undo anyone's revocation (an administrator's too; never a final one)",
    tag: 'admin',
    scope: ADMIN_SCOPE,
    body: emptyBody,
    success: { status: 200, description: 'the restored PAT', schema: out.patSchema },
    problems: restoreProblems,
    async handle(ctx, _input, deps) {
      const pat = await restorePat(patContext(deps), pathId(ctx.params.id, 'token'), null, actorOf(ctx));
      ctx.body = presentPat(pat, deps.clock());
    },
  }),
];

export const adminStatsOperation = operation({
  method: 'get',
  path: '/admin/stats',
  summary: 'Oversight numbers',
  tag: 'admin',
  scope: ADMIN_SCOPE,
  success: { status: 200, description: 'the numbers', schema: out.statsSchema },
  async handle(ctx, _input, deps) {
    ctx.body = presentStats(await patStats(deps.db, deps.clock()));
  },
});
