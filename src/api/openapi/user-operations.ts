/** `/users`: accounts and their entitlements, for administrators. */
import { ADMIN_SCOPE } from '../../scopes.js';
import * as out from '../response-schemas.js';
import { newPatBody } from '../schemas.js';
import { emptyBody } from '../tokens.js';
import { newUserBody, userChangeBody, listQuery as usersQuery } from '../users.js';
import type { OperationDoc as Operation } from './operation.js';

export const userOperations: Operation[] = [
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
    problems: ['scope_not_entitled', 'scope_exceeds_credential', 'cidr_exceeds_credential'],
  },
];
