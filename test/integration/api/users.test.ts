import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectProblem } from '../../helpers/problems.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const asAdmin = (method: string, path: string, body?: unknown) =>
  server.request(method, path, { token: server.adminToken, body });

const createUser = (body: Record<string, unknown>) => asAdmin('POST', '/api/v1/users', body);

const fieldsOf = (problem: { errors?: { field: string }[] }) => (problem.errors ?? []).map((e) => e.field);

/** HTTP status of `/api/v1/me` with this token: 200 while it works, 401 once it does not. */
const meStatus = async (token: string) => (await server.request('GET', '/api/v1/me', { token })).status;

describe('POST /api/v1/users', () => {
  it('creates a user with default entitlements and answers 201 with the user', async () => {
    const username = uniqueName('plain');
    const created = await createUser({ username });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      username,
      admin: false,
      service: false,
      entitlements: ['tessera:tokens'],
      disabled: false,
      created_at: expect.any(String),
      email: null,
    });
    expect(new Date(created.body.created_at).toISOString()).toBe(created.body.created_at);
  });

  it('adds tessera:admin for admin: true, and keeps explicit entitlements and service', async () => {
    const admin = await createUser({ username: uniqueName('adm'), admin: true });
    expect(admin.status).toBe(201);
    expect(admin.body.admin).toBe(true);
    expect([...admin.body.entitlements].sort()).toEqual(['tessera:admin', 'tessera:tokens']);

    const service = await createUser({
      username: uniqueName('svc'),
      entitlements: ['repo:read', 'repo:write'],
      service: true,
    });
    expect(service.status).toBe(201);
    expect(service.body).toMatchObject({ admin: false, service: true });
    expect([...service.body.entitlements].sort()).toEqual(['repo:read', 'repo:write']);
  });

  it('rejects an unknown entitlement with 400 naming entitlements[i]', async () => {
    const username = uniqueName('badent');
    const response = await createUser({ username, entitlements: ['repo:read', 'repo:nonsense'] });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.code).toBe('invalid_request');
    expect(fieldsOf(response.body)).toEqual(['entitlements[1]']);
    // Nothing was written: the name is still free.
    expect((await createUser({ username })).status).toBe(201);
  });

  it.each([
    ['empty', ''],
    ['leading dash', '-abc'],
    ['space', 'a b'],
    ['slash', 'a/b'],
    ['too long', 'a'.repeat(64)],
    ['not a string', 42],
  ])('rejects a bad username (%s) with 400 naming username', async (_label, username) => {
    const response = await createUser({ username });
    expectProblem(response, 400, 'invalid_request');
    expect(fieldsOf(response.body)).toContain('username');
  });

  it('rejects a missing username and an unknown body field with 400', async () => {
    const missing = await createUser({ entitlements: ['tessera:tokens'] });
    expect(missing.status).toBe(400);
    expect(fieldsOf(missing.body)).toContain('username');

    const unknown = await createUser({ username: uniqueName('extra'), role: 'admin' });
    expectProblem(unknown, 400, 'invalid_request');
    expect(fieldsOf(unknown.body)).toEqual(['role']);
  });

  it('answers 409 username_taken for a duplicate username, also in another case', async () => {
    const username = uniqueName('Dup');
    expect((await createUser({ username })).status).toBe(201);

    const same = await createUser({ username });
    expectProblem(same, 409, 'username_taken');

    const otherCase = await createUser({ username: username.toUpperCase() });
    expectProblem(otherCase, 409, 'username_taken');
  });

  it('answers concurrent requests for one username with one 201 and 409s, never a 500', async () => {
    // Several rounds, so that a check-then-insert race shows up on a real PostgreSQL.
    for (let round = 0; round < 5; round++) {
      const username = uniqueName('race');
      const responses = await Promise.all(Array.from({ length: 8 }, () => createUser({ username })));
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      for (const response of responses.filter((r) => r.status === 409)) {
        expect(response.body.code).toBe('username_taken');
      }
    }
  });

  it('refuses a caller without tessera:admin (403) and a caller without credentials (401)', async () => {
    const { token } = await server.createUserWithToken(uniqueName('peon'), ['tessera:tokens']);
    const forbidden = await server.request('POST', '/api/v1/users', {
      token,
      body: { username: uniqueName('nope') },
    });
    expectProblem(forbidden, 403, 'insufficient_scope');

    const anonymous = await server.request('POST', '/api/v1/users', {
      body: { username: uniqueName('nope') },
    });
    expectProblem(anonymous, 401, 'unauthenticated');
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses an admin-entitled user whose PAT lacks tessera:admin (403)', async () => {
    const { token } = await server.createUserWithToken(
      uniqueName('halfadm'),
      ['tessera:tokens', 'tessera:admin'],
      ['tessera:tokens'],
    );
    const response = await server.request('GET', '/api/v1/users', { token });
    expectProblem(response, 403, 'insufficient_scope');
  });
});

describe('GET /api/v1/users', () => {
  it('paginates every live user exactly once with limit and next_cursor', async () => {
    const mine = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const created = await createUser({ username: uniqueName('page') });
      expect(created.status).toBe(201);
      mine.add(created.body.id);
    }

    const seen: string[] = [];
    const times: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await asAdmin('GET', `/api/v1/users${query}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      if (page.body.next_cursor !== null) expect(page.body.items).toHaveLength(2);
      for (const user of page.body.items as { id: string; created_at: string }[]) {
        seen.push(user.id);
        times.push(Date.parse(user.created_at));
      }
      cursor = page.body.next_cursor;
      pages++;
    } while (cursor !== null && pages < 1000);

    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of mine) expect(seen).toContain(id);
    expect(seen).toContain(server.adminId);

    // Newest first, across page boundaries too.
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const all = await asAdmin('GET', '/api/v1/users?limit=100');
    expect(all.body.items.length).toBe(Math.min(seen.length, 100));
  });

  it('rejects a bad limit or a forged cursor with 400', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'cursor=not-a-cursor']) {
      const response = await asAdmin('GET', `/api/v1/users?${query}`);
      expectProblem(response, 400, 'invalid_request');
    }
  });

  it('shows one user by id, and answers 404 for an unknown or malformed id', async () => {
    const created = await createUser({ username: uniqueName('show'), entitlements: ['repo:read'] });
    const shown = await asAdmin('GET', `/api/v1/users/${created.body.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual(created.body);

    for (const id of [randomUUID(), 'not-a-uuid']) {
      const missing = await asAdmin('GET', `/api/v1/users/${id}`);
      expectProblem(missing, 404, 'not_found');
    }
  });

  it('is for administrators only', async () => {
    const { token, user } = await server.createUserWithToken(uniqueName('peek'), ['tessera:tokens']);
    for (const path of ['/api/v1/users', `/api/v1/users/${user.id}`]) {
      const response = await server.request('GET', path, { token });
      expectProblem(response, 403, 'insufficient_scope');
    }
  });
});

describe('POST /api/v1/users/{id}/tokens', () => {
  it('creates a PAT for the user, returning the secret once', async () => {
    const user = (
      await createUser({ username: uniqueName('bot'), entitlements: ['repo:read'], service: true })
    ).body;
    const created = await asAdmin('POST', `/api/v1/users/${user.id}/tokens`, {
      name: 'ci',
      scopes: ['repo:read'],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.body).toMatchObject({
      user_id: user.id,
      name: 'ci',
      scopes: ['repo:read'],
      status: 'active',
    });
    expect(created.body.token).toMatch(/^tsr_[0-9A-Za-z]{36}$/);

    const me = await server.request('GET', '/api/v1/me', { token: created.body.token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(user.id);
    expect(me.body.credential).toMatchObject({ pat_id: created.body.id, scopes: ['repo:read'] });

    const listed = await asAdmin('GET', `/api/v1/admin/tokens?user=${user.id}`);
    expect(listed.body.items.map((pat: { id: string }) => pat.id)).toEqual([created.body.id]);
    expect(listed.body.items[0].token).toBeUndefined();
    expect(listed.text).not.toContain(created.body.token);
  });

  it('refuses scopes beyond the user entitlements with 403 scope_not_entitled', async () => {
    const user = (await createUser({ username: uniqueName('narrow'), entitlements: ['repo:read'] })).body;
    const response = await asAdmin('POST', `/api/v1/users/${user.id}/tokens`, {
      name: 'too-much',
      scopes: ['repo:read', 'repo:write'],
    });
    expectProblem(response, 403, 'scope_not_entitled');
    const listed = await asAdmin('GET', `/api/v1/admin/tokens?user=${user.id}`);
    expect(listed.body.items).toEqual([]);
  });

  it('answers 404 for an unknown user and 400 for a bad body', async () => {
    const unknown = await asAdmin('POST', `/api/v1/users/${randomUUID()}/tokens`, {
      name: 'x',
      scopes: ['repo:read'],
    });
    expectProblem(unknown, 404, 'not_found');

    const user = (await createUser({ username: uniqueName('body'), entitlements: ['repo:read'] })).body;
    const bad = await asAdmin('POST', `/api/v1/users/${user.id}/tokens`, {
      name: 'x',
      scopes: ['repo:read'],
      owner: 'me',
    });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['owner']);
  });

  it('is for administrators only', async () => {
    const { token, user } = await server.createUserWithToken(uniqueName('self'), [
      'tessera:tokens',
      'repo:read',
    ]);
    const response = await server.request('POST', `/api/v1/users/${user.id}/tokens`, {
      token,
      body: { name: 'x', scopes: ['repo:read'] },
    });
    expectProblem(response, 403, 'insufficient_scope');
  });
});

describe('disabling and enabling a user', () => {
  it('stops all their PATs at once and restores all but the individually revoked ones', async () => {
    const { user, token: first } = await server.createUserWithToken(uniqueName('dis'), ['tessera:tokens']);
    const second = await server.request('POST', '/api/v1/tokens', {
      token: first,
      body: { name: 'second', scopes: ['tessera:tokens'] },
    });
    const third = await server.request('POST', '/api/v1/tokens', {
      token: first,
      body: { name: 'third', scopes: ['tessera:tokens'] },
    });
    expect(second.status).toBe(201);
    expect(third.status).toBe(201);
    const revoked = await server.request('POST', `/api/v1/tokens/${third.body.id}/revoke`, { token: first });
    expect(revoked.status).toBe(200);

    const disabled = await asAdmin('POST', `/api/v1/users/${user.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id: user.id, disabled: true });
    expect((await asAdmin('GET', `/api/v1/users/${user.id}`)).body.disabled).toBe(true);
    expect(await meStatus(first)).toBe(401);
    expect(await meStatus(second.body.token)).toBe(401);
    expect(await meStatus(third.body.token)).toBe(401);

    const enabled = await asAdmin('POST', `/api/v1/users/${user.id}/enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ id: user.id, disabled: false });
    expect(await meStatus(first)).toBe(200);
    expect(await meStatus(second.body.token)).toBe(200);
    expect(await meStatus(third.body.token)).toBe(401);

    const stillRevoked = await server.request('GET', `/api/v1/tokens/${third.body.id}`, { token: first });
    expect(stillRevoked.body.status).toBe('revoked');
  });

  it('answers 404 for an unknown user and 400 for a body with fields', async () => {
    for (const action of ['disable', 'enable']) {
      const missing = await asAdmin('POST', `/api/v1/users/${randomUUID()}/${action}`);
      expectProblem(missing, 404, 'not_found');
    }
    const { user, token } = await server.createUserWithToken(uniqueName('disbody'), ['tessera:tokens']);
    const bad = await asAdmin('POST', `/api/v1/users/${user.id}/disable`, { reason: 'x' });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['reason']);
    expect(await meStatus(token)).toBe(200);
  });

  it('refuses a non-admin caller', async () => {
    const { token } = await server.createUserWithToken(uniqueName('nodis'), ['tessera:tokens']);
    const victim = await server.createUserWithToken(uniqueName('victim'), ['tessera:tokens']);
    const response = await server.request('POST', `/api/v1/users/${victim.user.id}/disable`, { token });
    expectProblem(response, 403, 'insufficient_scope');
    expect(await meStatus(victim.token)).toBe(200);
  });

  it('does not let an administrator disable or delete themselves (409 cannot_modify_self)', async () => {
    // A second administrator, so that a regression cannot lock out the bootstrap admin.
    const { user, token } = await server.createUserWithToken(
      uniqueName('selfadm'),
      ['tessera:tokens', 'tessera:admin'],
      ['tessera:tokens', 'tessera:admin'],
    );
    const disable = await server.request('POST', `/api/v1/users/${user.id}/disable`, { token });
    expectProblem(disable, 409, 'cannot_modify_self');

    const remove = await server.request('DELETE', `/api/v1/users/${user.id}`, { token });
    expectProblem(remove, 409, 'cannot_modify_self');

    expect(await meStatus(token)).toBe(200);
    expect((await asAdmin('GET', `/api/v1/users/${user.id}`)).body.disabled).toBe(false);
  });
});

describe('DELETE /api/v1/users/{id}', () => {
  it('revokes every PAT at once, hides the user, and frees the username', async () => {
    const username = uniqueName('gone');
    const { user, token, pat } = await server.createUserWithToken(username, ['tessera:tokens', 'repo:read']);
    const second = await server.request('POST', '/api/v1/tokens', {
      token,
      body: { name: 'second', scopes: ['repo:read'] },
    });
    expect(second.status).toBe(201);

    const deleted = await asAdmin('DELETE', `/api/v1/users/${user.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');

    expect(await meStatus(token)).toBe(401);
    expect(await meStatus(second.body.token)).toBe(401);

    // Newest first, so the two are on the first page of everyone's tokens.
    const recent = await asAdmin('GET', '/api/v1/admin/tokens?limit=100');
    const theirs = recent.body.items.filter((item: { user_id: string }) => item.user_id === user.id);
    expect(theirs.map((item: { id: string }) => item.id).sort()).toEqual([pat.id, second.body.id].sort());
    for (const item of theirs) {
      expect(item).toMatchObject({ status: 'revoked', revoked_reason: 'user deleted' });
    }

    const shown = await asAdmin('GET', `/api/v1/users/${user.id}`);
    expectProblem(shown, 404, 'not_found');
    const page = await asAdmin('GET', '/api/v1/users?limit=100');
    expect(page.body.items.map((u: { id: string }) => u.id)).not.toContain(user.id);

    const again = await asAdmin('DELETE', `/api/v1/users/${user.id}`);
    expect(again.status).toBe(404);

    const reused = await createUser({ username });
    expect(reused.status).toBe(201);
    expect(reused.body.id).not.toBe(user.id);
    // The old tokens do not come back with the name.
    expect(await meStatus(token)).toBe(401);
  });

  it("still lists a deleted user's PATs, revoked with reason 'user deleted', under ?user=<id>", async () => {
    const { user, token, pat } = await server.createUserWithToken(uniqueName('gone2'), ['tessera:tokens']);
    const second = await server.request('POST', '/api/v1/tokens', {
      token,
      body: { name: 'second', scopes: ['tessera:tokens'] },
    });
    expect((await asAdmin('DELETE', `/api/v1/users/${user.id}`)).status).toBe(204);

    const listed = await asAdmin('GET', `/api/v1/admin/tokens?user=${user.id}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item: { id: string }) => item.id).sort()).toEqual(
      [pat.id, second.body.id].sort(),
    );
    for (const item of listed.body.items) {
      expect(item).toMatchObject({ user_id: user.id, status: 'revoked', revoked_reason: 'user deleted' });
    }
  });

  it('answers 404 for an unknown user and 403 for a non-admin caller', async () => {
    const unknown = await asAdmin('DELETE', `/api/v1/users/${randomUUID()}`);
    expectProblem(unknown, 404, 'not_found');

    const { token } = await server.createUserWithToken(uniqueName('nodel'), ['tessera:tokens']);
    const victim = await server.createUserWithToken(uniqueName('keep'), ['tessera:tokens']);
    const forbidden = await server.request('DELETE', `/api/v1/users/${victim.user.id}`, { token });
    expectProblem(forbidden, 403, 'insufficient_scope');
    expect(await meStatus(victim.token)).toBe(200);
  });
});

describe('entitlements as a live ceiling', () => {
  it("limits a PAT's effective scopes to its scopes within the user's current entitlements", async () => {
    const { user, token } = await server.createUserWithToken(
      uniqueName('ceil'),
      ['tessera:tokens', 'repo:read', 'repo:write'],
      ['tessera:tokens', 'repo:read', 'repo:write'],
    );
    const before = await server.request('GET', '/api/v1/me', { token });
    expect(before.status).toBe(200);
    expect([...before.body.credential.scopes].sort()).toEqual(['repo:read', 'repo:write', 'tessera:tokens']);

    // No API edits entitlements yet; change them underneath the running server.
    await server.database.db.query('UPDATE users SET entitlements = $2 WHERE id = $1', [
      user.id,
      ['repo:read', 'user:read'],
    ]);

    const after = await server.request('GET', '/api/v1/me', { token });
    expect(after.status).toBe(200);
    expect(after.body.credential.scopes).toEqual(['repo:read']);
    expect(after.body.entitlements).toEqual(['repo:read', 'user:read']);

    // tessera:tokens is gone from the ceiling, so the token no longer manages tokens.
    const list = await server.request('GET', '/api/v1/tokens', { token });
    expectProblem(list, 403, 'insufficient_scope');
  });
});
