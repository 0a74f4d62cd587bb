/**
 * `PATCH /api/v1/users/{id}` {entitlements?, admin?, username?} (scope `tessera:admin`):
 * strict body, audited; narrower entitlements bind the user's existing PATs and JWTs on
 * /api/v1 and at /token from the very next request.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const patch = (id: string, body: unknown, token = server.adminToken) =>
  server.request('PATCH', `/api/v1/users/${id}`, { token, body });

describe('PATCH /api/v1/users/{id}', () => {
  it('narrower entitlements bind an existing PAT and JWT at once', async () => {
    const full = ['tessera:tokens', 'repo:read', 'repo:write'];
    const { user, token } = await server.createUserWithToken(uniqueName('narrow'), full);
    const jwt = (
      await server.exchange(token, { audience: `${server.url}/api`, scope: 'tessera:tokens repo:write' })
    ).body.access_token as string;
    expect((await server.exchange(token)).body.scope).toBe('tessera:tokens repo:read repo:write');

    const changed = await patch(user.id, { entitlements: ['tessera:tokens', 'repo:read'] });
    expect(changed.status).toBe(200);
    expect(changed.body.entitlements).toEqual(['tessera:tokens', 'repo:read']);

    expect((await server.exchange(token)).body.scope).toBe('tessera:tokens repo:read');
    expect((await server.exchange(token, { scope: 'repo:write' })).body.error).toBe('invalid_scope');
    expect((await server.request('GET', '/api/v1/me', { token })).body.credential.scopes).toEqual([
      'tessera:tokens',
      'repo:read',
    ]);
    expect((await server.request('GET', '/api/v1/me', { token: jwt })).body.credential.scopes).toEqual([
      'tessera:tokens',
    ]);
    const mint = await server.request('POST', '/api/v1/tokens', {
      token,
      body: { name: 'x', scopes: ['repo:write'] },
    });
    expect(mint.status).toBe(403);
  });

  it('admin: true grants tessera:admin, admin: false removes it; username changes; all audited', async () => {
    const { user, token } = await server.createUserWithToken(uniqueName('promote'), ['tessera:tokens']);
    const promoted = await patch(user.id, { admin: true });
    expect(promoted.body).toMatchObject({ admin: true, entitlements: ['tessera:tokens', 'tessera:admin'] });
    const renamed = await patch(user.id, { username: `${user.username}-renamed`, admin: false });
    expect(renamed.body).toMatchObject({ admin: false, username: `${user.username}-renamed` });
    expect((await server.request('GET', '/api/v1/users', { token })).status).toBe(403);
    const { rows } = await server.database.db.query<{ actor_user_id: string; reason: string }>(
      `SELECT actor_user_id, reason FROM audit_events WHERE action = 'user.updated' AND subject_user_id = $1 ORDER BY id`,
      [user.id],
    );
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.actor_user_id === server.adminId)).toBe(true);
    expect(rows[1]?.reason).toContain('username');
  });

  it('refuses bad input with 400, a taken username with 409, and non-admins with 403', async () => {
    const { user, token } = await server.createUserWithToken(uniqueName('bad'), ['tessera:tokens']);
    const other = await server.createUserWithToken(uniqueName('taken'), ['tessera:tokens']);
    for (const body of [
      {},
      { role: 'admin' },
      { entitlements: ['no:such'] },
      { admin: 'yes' },
      { username: '' },
    ]) {
      const answer = await patch(user.id, body);
      expect({ body, status: answer.status, code: answer.body.code }).toEqual({
        body,
        status: 400,
        code: 'invalid_request',
      });
    }
    const taken = await patch(user.id, { username: other.user.username.toUpperCase() });
    expect({ status: taken.status, code: taken.body.code }).toEqual({ status: 409, code: 'username_taken' });
    expect((await patch(user.id, { admin: true }, token)).status).toBe(403);
    expect((await patch('00000000-0000-4000-8000-000000000000', { admin: true })).status).toBe(404);
  });

  it('an administrator cannot remove their own admin entitlement', async () => {
    const answer = await patch(server.adminId, { admin: false });
    expect({ status: answer.status, code: answer.body.code }).toEqual({
      status: 409,
      code: 'cannot_modify_self',
    });
  });
});
