/**
 * `POST /api/v1/credentials/revoke`: anyone who finds a leaked PAT (a secret scanner, a
 * stranger) reports it here and it is revoked. Modelled on GitHub's credential-revocation API:
 * unauthenticated, at most 100 tokens a call, and always the same 202 whatever was found, so
 * the endpoint is no oracle for guessing tokens.
 */
import type { Router } from '@koa/router';
import { z } from 'zod';
import { ApiProblem } from '../errors.js';
import { jsonBody } from '../http/json-body.js';
import { parseBody } from '../http/parse.js';
import { requestMeta } from '../http/request-meta.js';
import { hashPat, isWellFormedPat } from '../pat/format.js';
import { findPatIdByHash } from '../pat/repository.js';
import { LEAK_REASON } from '../pat/revocation.js';
import { revokePat } from '../pat/service.js';
import { patContext } from '../services.js';
import type { ApiDeps } from './context.js';
import { exactRouter } from './routing.js';

export const reportBody = z.strictObject({ tokens: z.array(z.string().max(256)).min(1).max(100) });

export function credentialRoutes(deps: ApiDeps): Router {
  const router = exactRouter();
  const pats = patContext(deps);

  router.post('/credentials/revoke', jsonBody(), async (ctx) => {
    const retryAfter = await deps.limits.leakReport(ctx.ip);
    if (retryAfter) {
      ctx.set('Retry-After', String(retryAfter));
      throw new ApiProblem(429, 'rate_limited', 'Too many reports', `retry after ${retryAfter} seconds`);
    }
    const { tokens } = parseBody(ctx, reportBody);
    const actor = { userId: null, credentialScopes: null, meta: requestMeta(ctx) };
    for (const token of new Set(tokens)) {
      if (!isWellFormedPat(deps.config.tokens.prefix, token)) continue;
      const id = await findPatIdByHash(deps.db, hashPat(token));
      if (id) await revokePat(pats, id, null, actor, { kind: 'leak', reason: LEAK_REASON });
    }
    ctx.status = 202;
    ctx.body = { status: 'accepted' };
  });

  return router;
}
