/** `/admin/trust-policies`: which external issuers' tokens may be exchanged, for whom. */
import { ADMIN_SCOPE } from '../../scopes.js';
import { eventsQuery } from '../events.js';
import * as out from '../response-schemas.js';
import {
  newTrustPolicyBody,
  listQuery as trustPoliciesQuery,
  trustPolicyChangeBody,
} from '../trust-policies.js';
import type { OperationDoc as Operation } from './operation.js';

export const trustPolicyOperations: Operation[] = [
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
