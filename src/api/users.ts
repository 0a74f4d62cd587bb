/** `/api/v1/users`: administrators manage users and create tokens for them (service accounts). */
import { z } from 'zod';
import { toPage } from '../db/keyset.js';
import { notFound } from '../errors.js';
import { pageQuery, pathId } from '../http/params.js';
import { createPat } from '../pat/service.js';
import { ADMIN_SCOPE } from '../scopes.js';
import { patContext } from '../services.js';
import { findUserById, listUsers } from '../users/repository.js';
import { createUser, deleteUser, setDisabled } from '../users/service.js';
import { updateUser } from '../users/update.js';
import type { ApiDeps } from './context.js';
import { actorOf } from './http.js';
import { type Operation, operation } from './operation.js';
import { presentIssuedPat, presentUser } from './presenters.js';
import * as out from './response-schemas.js';
import { newPatBody, patRequestOf } from './schemas.js';

const username = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, {
  error: 'expected 1-63 characters: letters, digits, . _ -, starting with a letter or digit',
});
const entitlements = z.array(z.string().max(64)).max(100);
/** Where the user's email notices go (docs/design.md, "Notifications to people (email)"). */
const email = z.email({ error: 'expected an email address' }).max(254);
export const newUserBody = z.strictObject({
  username,
  email: email.nullable().optional(),
  entitlements: entitlements.optional(),
  admin: z.boolean().optional(),
  service: z.boolean().optional(),
});
export const userChangeBody = z
  .strictObject({
    username: username.optional(),
    entitlements: entitlements.optional(),
    admin: z.boolean().optional(),
    email: email.nullable().optional(),
  })
  .refine((change) => Object.keys(change).length > 0, {
    error: 'name at least one of username, entitlements, admin, email',
  });
export const emptyBody = z.strictObject({});
export const listQuery = z.object(pageQuery);

const usersOf = (deps: ApiDeps) => ({ db: deps.db, clock: deps.clock, scopes: deps.config.scopes });

function disableOperation(action: 'disable' | 'enable') {
  const disabled = action === 'disable';
  return operation({
    method: 'post',
    path: `/users/{id}/${action}`,
    summary: disabled ? 'Disable a user (every PAT fails at once)' : 'Enable a user',
    tag: 'users',
    scope: ADMIN_SCOPE,
    body: emptyBody,
    success: { status: 200, description: 'the user', schema: out.userSchema },
    ...(disabled ? { problems: ['cannot_modify_self' as const] } : {}),
    async handle(ctx, _input, deps) {
      const id = pathId(ctx.params.id, 'user');
      ctx.body = presentUser(await setDisabled(usersOf(deps), id, disabled, actorOf(ctx)));
    },
  });
}

export const userOperations: Operation[] = [
  operation({
    method: 'post',
    path: '/users',
    summary: 'Create a user',
    tag: 'users',
    scope: ADMIN_SCOPE,
    body: newUserBody,
    success: { status: 201, description: 'the user', schema: out.userSchema },
    problems: ['username_taken'],
    async handle(ctx, { body }, deps) {
      ctx.body = presentUser(await createUser(usersOf(deps), body, actorOf(ctx)));
    },
  }),
  operation({
    method: 'get',
    path: '/users',
    summary: 'Users',
    tag: 'users',
    scope: ADMIN_SCOPE,
    query: listQuery,
    success: { status: 200, description: 'a page of users', schema: out.pageOf(out.userSchema) },
    async handle(ctx, { query }, deps) {
      const rows = await listUsers(deps.db, query.limit, query.cursor ?? null);
      ctx.body = toPage(rows, query.limit, presentUser);
    },
  }),
  operation({
    method: 'get',
    path: '/users/{id}',
    summary: 'One user',
    tag: 'users',
    scope: ADMIN_SCOPE,
    success: { status: 200, description: 'the user', schema: out.userSchema },
    async handle(ctx, _input, deps) {
      const user = await findUserById(deps.db, pathId(ctx.params.id, 'user'));
      if (!user) throw notFound('user');
      ctx.body = presentUser(user);
    },
  }),
  operation({
    method: 'patch',
    path: '/users/{id}',
    summary: "Change a user; narrower entitlements bind the user's PATs at once",
    tag: 'users',
    scope: ADMIN_SCOPE,
    body: userChangeBody,
    success: { status: 200, description: 'the user', schema: out.userSchema },
    problems: ['username_taken', 'cannot_modify_self'],
    async handle(ctx, { body }, deps) {
      const id = pathId(ctx.params.id, 'user');
      ctx.body = presentUser(await updateUser(usersOf(deps), id, body, actorOf(ctx)));
    },
  }),
  disableOperation('disable'),
  disableOperation('enable'),
  operation({
    method: 'delete',
    path: '/users/{id}',
    summary: 'Delete a user (their PATs are revoked)',
    tag: 'users',
    scope: ADMIN_SCOPE,
    success: { status: 204, description: 'deleted' },
    problems: ['cannot_modify_self'],
    async handle(ctx, _input, deps) {
      await deleteUser(usersOf(deps), pathId(ctx.params.id, 'user'), actorOf(ctx));
    },
  }),
  operation({
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
    async handle(ctx, { body }, deps) {
      const owner = await findUserById(deps.db, pathId(ctx.params.id, 'user'));
      if (!owner) throw notFound('user');
      const issued = await createPat(patContext(deps), owner, patRequestOf(body), actorOf(ctx));
      ctx.body = presentIssuedPat(issued, deps.clock());
    },
  }),
];
