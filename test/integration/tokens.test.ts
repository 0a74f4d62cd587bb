import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer, uniqueName } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('PAT lifecycle over /api/v1/tokens', () => {
  it('creates, lists, shows, revokes, restores, rotates and deletes a token', async () => {
    const { token } = await server.createUserWithToken(uniqueName('life'), ['tessera:tokens', 'repo:read']);

    const created = await server.request('POST', '/api/v1/tokens', {
      token,
      body: { name: 'laptop', scopes: ['repo:read'], expires_in_days: 30 },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.body).toMatchObject({ name: 'laptop', scopes: ['repo:read'], status: 'active' });
    expect(created.body.token).toMatch(/^tsr_[0-9A-Za-z]{36}$/);
    expect(created.body.hint).toBe(created.body.token.slice(0, 8));
    const id = created.body.id;

    const shown = await server.request('GET', `/api/v1/tokens/${id}`, { token });
    expect(shown.status).toBe(200);
    expect(shown.body.token).toBeUndefined();
    expect(shown.text).not.toContain(created.body.token);

    const revoked = await server.request('POST', `/api/v1/tokens/${id}/revoke`, { token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    expect((await server.request('GET', '/api/v1/me', { token: created.body.token })).status).toBe(401);

    const restored = await server.request('POST', `/api/v1/tokens/${id}/restore`, { token });
    expect(restored.status).toBe(200);
    expect(restored.body.status).toBe('active');

    const rotated = await server.request('POST', `/api/v1/tokens/${id}/rotate`, { token });
    expect(rotated.status).toBe(201);
    expect(rotated.body.rotated_from).toBe(id);
    expect(rotated.body.token).not.toBe(created.body.token);
    expect(rotated.body).toMatchObject({ name: 'laptop', scopes: ['repo:read'], status: 'active' });
    const oldAfter = await server.request('GET', `/api/v1/tokens/${id}`, { token });
    expect(oldAfter.body).toMatchObject({ status: 'revoked', revoked_reason: 'rotated' });

    expect((await server.request('DELETE', `/api/v1/tokens/${rotated.body.id}`, { token })).status).toBe(409);
    const deleted = await server.request('DELETE', `/api/v1/tokens/${id}`, { token });
    expect(deleted.status).toBe(204);
    expect((await server.request('GET', `/api/v1/tokens/${id}`, { token })).status).toBe(404);
  });
});
