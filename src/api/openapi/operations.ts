/**
 * Every `/api/v1` operation, described by the zod schemas its route parses and answers with.
 * The OpenAPI document (document.ts) is generated from this table, and a test checks that the
 * table and the router list the same operations.
 */
import { z } from 'zod';
import { ADMIN_SCOPE, TOKENS_SCOPE } from '../../scopes.js';
import {
  emptyBody as adminRestoreBody,
  revokeBody as adminRevokeBody,
  listQuery as adminTokensQuery,
} from '../admin.js';
import { reportBody } from '../credentials.js';
import { eventsQuery } from '../events.js';
import * as out from '../response-schemas.js';
import { newPatBody } from '../schemas.js';
import { emptyBody, listQuery as tokensQuery } from '../tokens.js';
import {
  newTrustPolicyBody,
  listQuery as trustPoliciesQuery,
  trustPolicyChangeBody,
} from '../trust-policies.js';
import { newUserBody, userChangeBody, listQuery as usersQuery } from '../users.js';
import { deliveriesQuery, endpointListQuery, endpointPatchBody, newEndpointBody } from '../webhooks.js';
import type { ProblemCode } from './problems.js';

export interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI path template under /api/v1, e.g. `/tokens/{id}`. */
  path: string;
  summary: string;
  tag: string;
  /** null: no authentication; 'any': any authenticated caller. */
  scope: string | null;
  query?: z.ZodObject;
  body?: z.ZodType;
  success: { status: number; description: string; schema?: z.ZodType; noStore?: boolean };
  /** Problems beyond the generic ones its inputs imply (problems.ts). */
  problems?: ProblemCode[];
}

const ANY = 'any';
/** Undoing a revocation: the token's state, then who revoked it (pat/revocation.ts). */
const restoreProblems: ProblemCode[] = ['token_not_revoked', 'token_expired', 'revocation_final'];
const patPage = out.pageOf(out.patSchema);

const tokens: Operation[] = [
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
    problems: ['scope_not_entitled', 'scope_exceeds_credential', 'service_account'],
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
    problems: ['token_not_active', 'scope_exceeds_credential'],
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
  {
    method: 'get',
    path: '/tokens/{id}/events',
    summary: "A PAT's audit trail",
    tag: 'tokens',
    scope: TOKENS_SCOPE,
    query: eventsQuery,
    success: { status: 200, description: 'a page of events', schema: out.pageOf(out.auditEventSchema) },
  },
];

const users: Operation[] = [
  {
    method: 'post',
    path: '/users',
    summary: 'Create a user',
    tag: 'users',
    scope: ADMIN_SCOPE,
    body: newUserBody,
    success: { status: 201, description: 'the user', schema: out.userSchema },
    problems: ['username_taken'],
  },
  {
    method: 'get',
    path: '/users',
    summary: 'Users',
    tag: 'users',
    scope: ADMIN_SCOPE,
    query: usersQuery,
    success: { status: 200, description: 'a page of users', schema: out.pageOf(out.userSchema) },
  },
  {
    method: 'get',
    path: '/users/{id}',
    summary: 'One user',
    tag: 'users',
    scope: ADMIN_SCOPE,
    success: { status: 200, description: 'the user', schema: out.userSchema },
  },
  {
    method: 'patch',
    path: '/users/{id}',
    summary: "Change a user; narrower entitlements bind the user's PATs at once",
    tag: 'users',
    scope: ADMIN_SCOPE,
    body: userChangeBody,
    success: { status: 200, description: 'the user', schema: out.userSchema },
    problems: ['username_taken', 'cannot_modify_self'],
  },
  {
    method: 'post',
    path: '/users/{id}/disable',
    summary: 'Disable a user (every PAT fails at once)',
    tag: 'users',
    scope: ADMIN_SCOPE,
    body: emptyBody,
    success: { status: 200, description: 'the user', schema: out.userSchema },
    problems: ['cannot_modify_self'],
  },
  {
    method: 'post',
    path: '/users/{id}/enable',
    summary: 'Enable a user',
    tag: 'users',
    scope: ADMIN_SCOPE,
    body: emptyBody,
    success: { status: 200, description: 'the user', schema: out.userSchema },
  },
  {
    method: 'delete',
    path: '/users/{id}',
    summary: 'Delete a user (their PATs are revoked)',
    tag: 'users',
    scope: ADMIN_SCOPE,
    success: { status: 204, description: 'deleted' },
    problems: ['cannot_modify_self'],
  },
  {
    method: 'post',
    path: '/users/{id}/tokens',
    summary: 'Create a PAT for a user (service accounts)',
    tag: 'users',
    scope: ADMIN_SCOPE,
    body: newPatBody,
    success: {
      status: 201,
      description: 'the new PAT and its secret',
      schema: out.issuedPatSchema,
      noStore: true,
    },
    problems: ['scope_not_entitled', 'scope_exceeds_credential'],
  },
];

const admin: Operation[] = [
  {
    method: 'get',
    path: '/admin/tokens',
    summary: "Every user's PATs",
    tag: 'admin',
    scope: ADMIN_SCOPE,
    query: adminTokensQuery,
    success: { status: 200, description: 'a page of PATs', schema: patPage },
  },
  {
    method: 'post',
    path: '/admin/tokens/{id}/revoke',
    summary: "Revoke anyone's PAT",
    tag: 'admin',
    scope: ADMIN_SCOPE,
    body: adminRevokeBody,
    success: { status: 200, description: 'the revoked PAT', schema: out.patSchema },
  },
  {
    method: 'post',
    path: '/admin/tokens/{id}/restore',
    summary: "Undo anyone's revocation (an administrator's too; never a final one)",
    tag: 'admin',
    scope: ADMIN_SCOPE,
    body: adminRestoreBody,
    success: { status: 200, description: 'the restored PAT', schema: out.patSchema },
    problems: restoreProblems,
  },
  {
    method: 'get',
    path: '/admin/tokens/{id}/events',
    summary: "Any PAT's audit trail",
    tag: 'admin',
    scope: ADMIN_SCOPE,
    query: eventsQuery,
    success: { status: 200, description: 'a page of events', schema: out.pageOf(out.auditEventSchema) },
  },
  {
    method: 'get',
    path: '/admin/stats',
    summary: 'Oversight numbers',
    tag: 'admin',
    scope: ADMIN_SCOPE,
    success: { status: 200, description: 'the numbers', schema: out.statsSchema },
  },
];

const trustPolicies: Operation[] = [
  {
    method: 'get',
    path: '/admin/trust-policies',
    summary: 'Federation trust policies',
    tag: 'trust-policies',
    scope: ADMIN_SCOPE,
    query: trustPoliciesQuery,
    success: { status: 200, description: 'a page of policies', schema: out.pageOf(out.trustPolicySchema) },
  },
  {
    method: 'post',
    path: '/admin/trust-policies',
    summary: "Trust an external issuer's tokens for one user, with these scopes",
    tag: 'trust-policies',
    scope: ADMIN_SCOPE,
    body: newTrustPolicyBody,
    success: { status: 201, description: 'the policy', schema: out.trustPolicySchema },
    problems: ['trust_policy_name_taken'],
  },
  {
    method: 'get',
    path: '/admin/trust-policies/{id}',
    summary: 'One trust policy',
    tag: 'trust-policies',
    scope: ADMIN_SCOPE,
    success: { status: 200, description: 'the policy', schema: out.trustPolicySchema },
  },
  {
    method: 'patch',
    path: '/admin/trust-policies/{id}',
    summary: 'Change a trust policy (the result is checked as a new one would be)',
    tag: 'trust-policies',
    scope: ADMIN_SCOPE,
    body: trustPolicyChangeBody,
    success: { status: 200, description: 'the policy', schema: out.trustPolicySchema },
    problems: ['trust_policy_name_taken'],
  },
  {
    method: 'delete',
    path: '/admin/trust-policies/{id}',
    summary: 'Delete a trust policy (its history stays)',
    tag: 'trust-policies',
    scope: ADMIN_SCOPE,
    success: { status: 204, description: 'deleted' },
  },
  {
    method: 'get',
    path: '/admin/trust-policies/{id}/events',
    summary: "A trust policy's audit trail: its changes and the exchanges it decided",
    tag: 'trust-policies',
    scope: ADMIN_SCOPE,
    query: eventsQuery,
    success: {
      status: 200,
      description: 'a page of events',
      schema: out.pageOf(out.trustPolicyEventSchema),
    },
  },
];

const webhooks: Operation[] = [
  {
    method: 'get',
    path: '/admin/webhooks',
    summary: 'Webhook endpoints',
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    query: endpointListQuery,
    success: { status: 200, description: 'a page of endpoints', schema: out.pageOf(out.endpointSchema) },
  },
  {
    method: 'post',
    path: '/admin/webhooks',
    summary: 'Register an endpoint (its signing secret is in this response only)',
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    body: newEndpointBody,
    success: {
      status: 201,
      description: 'the endpoint and its secret',
      schema: out.createdEndpointSchema,
      noStore: true,
    },
  },
  {
    method: 'get',
    path: '/admin/webhooks/{id}',
    summary: 'One endpoint',
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    success: { status: 200, description: 'the endpoint', schema: out.endpointSchema },
  },
  {
    method: 'patch',
    path: '/admin/webhooks/{id}',
    summary: 'Change an endpoint; `enabled: true` re-enables it',
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    body: endpointPatchBody,
    success: { status: 200, description: 'the endpoint', schema: out.endpointSchema },
  },
  {
    method: 'delete',
    path: '/admin/webhooks/{id}',
    summary: 'Delete an endpoint and its pending deliveries',
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    success: { status: 204, description: 'deleted' },
  },
  {
    method: 'get',
    path: '/admin/webhooks/{id}/deliveries',
    summary: "An endpoint's delivery log",
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    query: deliveriesQuery,
    success: {
      status: 200,
      description: 'a page of delivery attempts',
      schema: out.pageOf(out.deliverySchema),
    },
  },
];

export const OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tag: 'meta',
    scope: null,
    success: {
      status: 200,
      description: 'OpenAPI 3.1',
      schema: z.looseObject({ openapi: z.literal('3.1.0'), paths: z.record(z.string(), z.unknown()) }),
    },
  },
  {
    method: 'post',
    path: '/credentials/revoke',
    summary: 'Report leaked PATs (always 202)',
    tag: 'credentials',
    scope: null,
    body: reportBody,
    success: { status: 202, description: 'accepted', schema: out.acceptedSchema },
    problems: ['rate_limited'],
  },
  {
    method: 'get',
    path: '/scopes',
    summary: 'The scope catalogue',
    tag: 'meta',
    scope: ANY,
    success: { status: 200, description: 'every scope', schema: out.pageOf(out.scopeSchema) },
  },
  {
    method: 'get',
    path: '/me',
    summary: 'The caller and its credential',
    tag: 'meta',
    scope: ANY,
    success: { status: 200, description: 'the caller', schema: out.meSchema },
  },
  ...tokens,
  ...users,
  ...admin,
  ...trustPolicies,
  ...webhooks,
];
