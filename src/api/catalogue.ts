/** `/api/v1/scopes` and `/api/v1/me`: open to any authenticated caller. */
import { callerOf } from '../auth/bearer.js';
import { type Operation, operation } from './operation.js';
import { presentUser } from './presenters.js';
import * as out from './response-schemas.js';

const ANY = 'any';

export const catalogueOperations: Operation[] = [
  operation({
    method: 'get',
    path: '/scopes',
    summary: 'The scope catalogue',
    tag: 'meta',
    scope: ANY,
    success: { status: 200, description: 'every scope', schema: out.pageOf(out.scopeSchema) },
    handle(ctx, _input, deps) {
      const items = Object.entries(deps.config.scopes).map(([name, description]) => ({ name, description }));
      ctx.body = { items, next_cursor: null };
    },
  }),
  operation({
    method: 'get',
    path: '/me',
    summary: 'The caller and its credential',
    tag: 'meta',
    scope: ANY,
    success: { status: 200, description: 'the caller', schema: out.meSchema },
    handle(ctx) {
      const caller = callerOf(ctx);
      ctx.body = {
        ...presentUser(caller.user),
        credential: { type: caller.credential, pat_id: caller.patId, scopes: caller.scopes },
      };
    },
  }),
];
