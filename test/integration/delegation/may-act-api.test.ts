/**
 * `may_act` on PATs over `/api/v1` (issue 21): set at creation or with `PATCH /tokens/{id}`,
 * validated (live users, existing trust policies, scopes within the PAT), kept on rotation,
 * shown on the PAT, and audited as a change on its trail.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(() => server.stop());

const owner = () =>
  server.createUserWithToken(uniqueName('owner'), ['tessera:tokens', 'repo:read', 'repo:write']);

describe('may_act on a PAT', () => {
  it('is set at creation, shown, kept on rotation and changed with PATCH, each change audited', async () => {
    const { token } = await owner();
    const { user: bob } = await server.createUserWithToken(uniqueName('bob'), ['repo:read']);
    const created = await server.request('POST', '/api/v1/tokens', {
      token,
      body: {
        name: 'delegable',
        scopes: ['repo:read', 'repo:write'],
        may_act: [{ user_id: bob.id, scopes: ['repo:read'] }],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.may_act).toEqual([{ user_id: bob.id, scopes: ['repo:read'] }]);

    const rotated = await server.request('POST', `/api/v1/tokens/${created.body.id}/rotate`, {
      token,
      body: {},
    });
    expect(rotated.body.may_act).toEqual([{ user_id: bob.id, scopes: ['repo:read'] }]);

    const id = rotated.body.id;
    const patched = await server.request('PATCH', `/api/v1/tokens/${id}`, { token, body: { may_act: null } });
    expect(patched.status).toBe(200);
    expect(patched.body.may_act).toBeNull();
    const shown = await server.request('GET', `/api/v1/tokens/${id}`, { token });
    expect(shown.body.may_act).toBeNull();

    const events = await server.request('GET', `/api/v1/tokens/${id}/events`, { token });
    const updates = events.body.items.filter((e: { action: string }) => e.action === 'pat.updated');
    expect(updates).toHaveLength(1);
    expect(updates[0].reason).toBe('may_act: nobody');
  });

  it('refuses unknown users and trust policies, scopes the PAT lacks, duplicates and unknown fields', async () => {
    const { token } = await owner();
    const { user: bob } = await server.createUserWithToken(uniqueName('bob'), ['repo:read']);
    const bad = [
      [{ user_id: '00000000-0000-4000-8000-000000000001' }],
      [{ trust_policy_id: '00000000-0000-4000-8000-000000000001' }],
      [{ user_id: bob.id, scopes: ['repo:admin'] }],
      [{ user_id: bob.id }, { user_id: bob.id }],
      [{ user_id: bob.id, admin: true }],
      [{ user_id: 'bob' }],
      'bob',
    ];
    for (const may_act of bad) {
      const created = await server.request('POST', '/api/v1/tokens', {
        token,
        body: { name: 'x', scopes: ['repo:read'], may_act },
      });
      expect({ may_act, status: created.status, code: created.body.code }).toEqual({
        may_act,
        status: 400,
        code: 'invalid_request',
      });
    }
    const { rows } = await server.database.db.query(
      "SELECT 1 FROM pats p JOIN users u ON u.id = p.user_id WHERE p.name = 'x' AND u.id <> $1",
      [bob.id],
    );
    expect(rows).toHaveLength(0);
  });

  it("is another user's secret: PATCH of someone else's token is 404, a narrower credential is 403", async () => {
    const a = await owner();
    const b = await owner();
    const patched = await server.request('PATCH', `/api/v1/tokens/${a.pat.id}`, {
      token: b.token,
      body: { may_act: [{ user_id: b.user.id }] },
    });
    expect(patched.status).toBe(404);

    const narrow = await server.request('POST', '/api/v1/tokens', {
      token: a.token,
      body: { name: 'narrow', scopes: ['tessera:tokens'] },
    });
    const widened = await server.request('PATCH', `/api/v1/tokens/${a.pat.id}`, {
      token: narrow.body.token,
      body: { may_act: [{ user_id: b.user.id }] },
    });
    expect({ status: widened.status, code: widened.body.code }).toEqual({
      status: 403,
      code: 'scope_exceeds_credential',
    });
    const unchanged = await server.request('GET', `/api/v1/tokens/${a.pat.id}`, { token: a.token });
    expect(unchanged.body.may_act).toBeNull();
  });
});
