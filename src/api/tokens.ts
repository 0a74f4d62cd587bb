/** `/api/v1/tokens`: a caller's own PATs (scope `tessera:tokens`). */
import type { Context } from 'koa';
import { z } from 'zod';
import { callerOf } from '../auth/bearer.js';
import { pageQuery, pathId } from '../http/params.js';
import { assertMayCreateOwnToken } from '../pat/policy.js';
import {
  createPat,
  deletePat,
  getPat,
  restorePat,
  revokePat,
  rotatePat,
  updatePatSettings,
} from '../pat/service.js';
import { TOKENS_SCOPE } from '../scopes.js';
import { patContext } from '../services.js';
import { actorOf } from './http.js';
import type { ProblemCode } from './openapi/problems.js';
import { type Operation, operation } from './operation.js';
import { patPage, presentIssuedPat, presentPat } from './presenters.js';
import * as out from './response-schemas.js';
import { newPatBody, patchPatBody, patFilterOf, patFilterQuery, patRequestOf } from './schemas.js';

export const listQuery = z.object({ ...patFilterQuery, ...pageQuery });
export const emptyBody = z.strictObject({});
export const patPageSchema = out.pageOf(out.patSchema);
/** Undoing a revocation: the token's state, then who revoked it (pat/revocation.ts). */
export const restoreProblems: ProblemCode[] = ['token_not_revoked', 'token_expired', 'revocation_final'];

const TAG = 'tokens';
const issuedSuccess = {
  status: 201,
  description: 'the new PAT and its secret',
  schema: out.issuedPatSchema,
  noStore: true,
} as const;
const tokenId = (ctx: Context) => pathId(ctx.params.id, 'token');
const ownerId = (ctx: Context) => callerOf(ctx).user.id;

export const tokenOperations: Operation[] = [
  operation({
    method: 'post',
    path: '/tokens',
    summary: 'Create a PAT (its secret is in this response only)',
    tag: TAG,
    scope: TOKENS_SCOPE,
    body: newPatBody,
    success: issuedSuccess,
    problems: [
      'scope_not_entitled',
      'scope_exceeds_credential',
      'cidr_exceeds_credential',
      'service_account',
    ],
    async handle(ctx, { body }, deps) {
      const caller = callerOf(ctx);
      assertMayCreateOwnToken(caller.user);
      const issued = await createPat(patContext(deps), caller.user, patRequestOf(body), actorOf(ctx));
      ctx.body = presentIssuedPat(issued, deps.clock());
    },
  }),
  operation({
    method: 'get',
    path: '/tokens',
    summary: "The caller's PATs",
    tag: TAG,
    scope: TOKENS_SCOPE,
    query: listQuery,
    success: { status: 200, description: 'a page of PATs', schema: patPageSchema },
    async handle(ctx, { query }, deps) {
      ctx.body = await patPage(deps.db, patFilterOf(query, ownerId(ctx), deps.clock()));
    },
  }),
  operation({
    method: 'get',
    path: '/tokens/{id}',
    summary: 'One PAT',
    tag: TAG,
    scope: TOKENS_SCOPE,
    success: { status: 200, description: 'the PAT', schema: out.patSchema },
    async handle(ctx, _input, deps) {
      const pat = await getPat(patContext(deps), tokenId(ctx), ownerId(ctx));
      ctx.body = presentPat(pat, deps.clock());
    },
  }),
  operation({
    method: 'patch',
    path: '/tokens/{id}',
    summary: 'Change who may act with a PAT (may_act) and whether it needs DPoP (require_dpop)',
    tag: TAG,
    scope: TOKENS_SCOPE,
    body: patchPatBody,
    success: { status: 200, description: 'the changed PAT', schema: out.patSchema },
    problems: ['scope_exceeds_credential'],
    async handle(ctx, { body }, deps) {
      const pat = await updatePatSettings(
        patContext(deps),
        tokenId(ctx),
        ownerId(ctx),
        { mayAct: body.may_act, requireDpop: body.require_dpop },
        actorOf(ctx),
      );
      ctx.body = presentPat(pat, deps.clock());
    },
  }),
  operation({
    method: 'post',
    path: '/tokens/{id}/rotate',
    summary: 'New secret, same settings; the old one is revoked',
    tag: TAG,
    scope: TOKENS_SCOPE,
    body: emptyBody,
    success: issuedSuccess,
    problems: ['token_not_active', 'scope_exceeds_credential', 'cidr_exceeds_credential', 'service_account'],
    async handle(ctx, _input, deps) {
      const issued = await rotatePat(patContext(deps), tokenId(ctx), ownerId(ctx), actorOf(ctx));
      ctx.body = presentIssuedPat(issued, deps.clock());
    },
  }),
  operation({
    method: 'post',
    path: '/tokens/{id}/revoke',
    summary: 'Revoke a PAT',
    tag: TAG,
    scope: TOKENS_SCOPE,
    body: emptyBody,
    success: { status: 200, description: 'the revoked PAT', schema: out.patSchema },
    async handle(ctx, _input, deps) {
      const pat = await revokePat(patContext(deps), tokenId(ctx), ownerId(ctx), actorOf(ctx));
      ctx.body = presentPat(pat, deps.clock());
    },
  }),
  operation({
    method: 'post',
    path: '/tokens/{id}/restore',
    summary: 'Undo a revocation',
    tag: TAG,
    scope: TOKENS_SCOPE,
    body: emptyBody,
    success: { status: 200, description: 'the restored PAT', schema: out.patSchema },
    problems: restoreProblems,
    async handle(ctx, _input, deps) {
      const pat = await restorePat(patContext(deps), tokenId(ctx), ownerId(ctx), actorOf(ctx));
      ctx.body = presentPat(pat, deps.clock());
    },
  }),
  operation({
    method: 'delete',
    path: '/tokens/{id}',
    summary: 'Delete a revoked or expired PAT',
    tag: TAG,
    scope: TOKENS_SCOPE,
    success: { status: 204, description: 'deleted' },
    problems: ['token_active'],
    async handle(ctx, _input, deps) {
      await deletePat(patContext(deps), tokenId(ctx), ownerId(ctx), actorOf(ctx));
    },
  }),
];
