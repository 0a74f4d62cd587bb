/** `/tokens`: a caller's own PATs. */
import { TOKENS_SCOPE } from '../../scopes.js';
import * as out from '../response-schemas.js';
import { newPatBody, patchPatBody } from '../schemas.js';
import { emptyBody, listQuery as tokensQuery } from '../tokens.js';
import type { OperationDoc as Operation } from './operation.js';
import type { ProblemCode } from './problems.js';

/** Undoing a revocation: the token's state, then who revoked it (pat/revocation.ts). */
export const restoreProblems: ProblemCode[] = ['token_not_revoked', 'token_expired', 'revocation_final'];
export const patPage = out.pageOf(out.patSchema);

export const tokenOperations: Operation[] = [
  {
    method: 'post',
    path: '/tokens',
    summary: 'Create a PAT (its secret is in this response only)',
    tag: 'tokens',
    scope: TOKENS_SCOPE,
    body: newPatBody,
    success: {
      status: 201,
      description: 'the new PAT and its secret',
      schema: out.issuedPatSchema,
      noStore: true,
    },
    problems: [
      'scope_not_entitled',
      'scope_exceeds_credential',
      'cidr_exceeds_credential',
      'service_account',
    ],
  },
  {
    method: 'get',
    path: '/tokens',
    summary: "The caller's PATs",
    tag: 'tokens',
    scope: TOKENS_SCOPE,
    query: tokensQuery,
    success: { status: 200, description: 'a page of PATs', schema: patPage },
  },
  {
    method: 'get',
    path: '/tokens/{id}',
    summary: 'One PAT',
    tag: 'tokens',
    scope: TOKENS_SCOPE,
    success: { status: 200, description: 'the PAT', schema: out.patSchema },
  },
  {
    method: 'patch',
    path: '/tokens/{id}',
    summary: 'Change who may act with a PAT (may_act)',
    tag: 'tokens',
    scope: TOKENS_SCOPE,
    body: patchPatBody,
    success: { status: 200, description: 'the changed PAT', schema: out.patSchema },
    problems: ['scope_exceeds_credential'],
  },
  {
    method: 'post',
    path: '/tokens/{id}/rotate',
    summary: 'New secret, same settings; the old one is revoked',
    tag: 'tokens',
    scope: TOKENS_SCOPE,
    body: emptyBody,
    success: {
      status: 201,
      description: 'the new PAT and its secret',
      schema: out.issuedPatSchema,
      noStore: true,
    },
    problems: ['token_not_active', 'scope_exceeds_credential', 'cidr_exceeds_credential', 'service_account'],
  },
  {
    method: 'post',
    path: '/tokens/{id}/revoke',
    summary: 'Revoke a PAT',
    tag: 'tokens',
    scope: TOKENS_SCOPE,
    body: emptyBody,
    success: { status: 200, description: 'the revoked PAT', schema: out.patSchema },
  },
  {
    method: 'post',
    path: '/tokens/{id}/restore',
    summary: 'Undo a revocation',
    tag: 'tokens',
    scope: TOKENS_SCOPE,
    body: emptyBody,
    success: { status: 200, description: 'the restored PAT', schema: out.patSchema },
    problems: restoreProblems,
  },
  {
    method: 'delete',
    path: '/tokens/{id}',
    summary: 'Delete a revoked or expired PAT',
    tag: 'tokens',
    scope: TOKENS_SCOPE,
    success: { status: 204, description: 'deleted' },
    problems: ['token_active'],
  },
];
