/**
 * A PAT an administrator mints for a person carries `created_by`: the person sees, in their
 * list and in the PAT's events, that someone else held its secret once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('created_by', () => {
  it("an admin-minted PAT names the admin in the owner's list, the admin list and its events", async () => {
    const { user, token, pat } = await server.createUserWithToken(uniqueName('person'), ['tessera:tokens']);
    const own = await server.request('POST', '/api/v1/tokens', {
      token,
      body: { name: 'mine', scopes: ['tessera:tokens'] },
    });
    expect(own.body.created_by).toBe(user.id);

    const listed = await server.request('GET', '/api/v1/tokens', { token });
    const byId = new Map(listed.body.items.map((item: { id: string }) => [item.id, item]));
    expect(byId.get(pat.id)).toMatchObject({ created_by: server.adminId });
    expect(byId.get(own.body.id)).toMatchObject({ created_by: user.id });

    const admin = await server.request('GET', `/api/v1/admin/tokens?user=${user.id}`, {
      token: server.adminToken,
    });
    expect(admin.body.items.find((item: { id: string }) => item.id === pat.id)).toMatchObject({
      created_by: server.adminId,
    });

    const events = await server.request('GET', `/api/v1/tokens/${pat.id}/events`, { token });
    const created = events.body.items.find((item: { action: string }) => item.action === 'pat.created');
    expect(created.actor).toMatchObject({ id: server.adminId, username: 'admin' });
  });
});
