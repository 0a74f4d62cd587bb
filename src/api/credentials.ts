/**
 * `POST /api/v1/credentials/revoke`: anyone who finds a leaked PAT (a secret scanner, a
 * stranger) reports it here and it is revoked. Modelled on GitHub's credential-revocation API:
 * unauthenticated, at most 100 tokens a call, and always the same 202 whatever was found, so
 * the endpoint is no oracle for guessing tokens.
 */
import type { Context } from 'koa';
import { z } from 'zod';
import { ApiProblem } from '../errors.js';
import { requestMeta } from '../http/request-meta.js';
import { hashPat, isWellFormedPat } from '../pat/format.js';
import { findPatIdByHash } from '../pat/repository.js';
import { LEAK_REASON } from '../pat/revocation.js';
import { revokePat } from '../pat/service.js';
import { patContext } from '../services.js';
import type { ApiDeps } from './context.js';
import { type Operation, operation } from './operation.js';
import * as out from './response-schemas.js';

export const reportBody = z.strictObject({ tokens: z.array(z.string().max(256)).min(1).max(100) });

async function rateLimit(ctx: Context, deps: ApiDeps) {
  const retryAfter = await deps.limits.leakReport(ctx.ip);
  if (retryAfter) {
    ctx.set('Retry-After', String(retryAfter));
    throw new ApiProblem(429, 'rate_limited', 'Too many reports', `retry after ${retryAfter} seconds`);
  }
}

export const credentialOperations: Operation[] = [
  operation({
    method: 'post',
    path: '/credentials/revoke',
    summary: 'Report leaked PATs (always 202)',
    tag: 'credentials',
    // Unauthenticated by design: whoever finds a leaked token reports it.
    scope: null,
    body: reportBody,
    success: { status: 202, description: 'accepted', schema: out.acceptedSchema },
    problems: ['rate_limited'],
    before: rateLimit,
    async handle(ctx, { body }, deps) {
      const actor = { userId: null, credentialScopes: null, meta: requestMeta(ctx) };
      for (const token of new Set(body.tokens)) {
        if (!isWellFormedPat(deps.config.tokens.prefix, token)) continue;
        const id = await findPatIdByHash(deps.db, hashPat(token));
        if (id) await revokePat(patContext(deps), id, null, actor, { kind: 'leak', reason: LEAK_REASON });
      }
      ctx.body = { status: 'accepted' };
    },
  }),
];
