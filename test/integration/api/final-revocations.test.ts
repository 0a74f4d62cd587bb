/**
 * docs/design.md "Who may undo a revocation": the owner may restore only a revocation the owner made;
 * an admin's revocation only an admin may restore; a leak report, an inactivity sweep, a
 * rotation and the deletion of a user are final (409 `revocation_final`). A restored PAT
 * exchanges again, so each refusal is also checked at /token.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ApiResponse, startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const DAY_MS = 86_400_000;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ configFile: { tokens: { revokeAfterInactiveDays: 30 } } });
});
afterAll(() => server.stop());

/** A user with a PAT to act with and a second PAT to revoke and restore. */
async function ownerWithSpare() {
  const owner = await server.createUserWithToken(uniqueName('final'), ['tessera:tokens', 'repo:read']);
  const spare = await server.request('POST', '/api/v1/tokens', {
    token: owner.token,
    body: { name: 'spare', scopes: ['repo:read'] },
  });
  expect(spare.status).toBe(201);
  return { owner, spare: spare.body as { id: string; token: string } };
}

const ownerRestore = (token: string, id: string) =>
  server.request('POST', `/api/v1/tokens/${id}/restore`, { token, body: {} });
const adminRestore = (id: string) =>
  server.request('POST', `/api/v1/admin/tokens/${id}/restore`, { token: server.adminToken, body: {} });
const adminRevoke = (id: string) =>
  server.request('POST', `/api/v1/admin/tokens/${id}/revoke`, {
    token: server.adminToken,
    body: { reason: 'compromised laptop' },
  });

function expectFinal(answer: ApiResponse) {
  expect({ status: answer.status, code: answer.body?.code }).toEqual({
    status: 409,
    code: 'revocation_final',
  });
}

async function expectStillRevoked(token: string) {
  expect((await server.exchange(token)).status).toBe(400);
}

describe('restoring a revoked PAT', () => {
  it("the owner restores the owner's own revocation", async () => {
    const { owner, spare } = await ownerWithSpare();
    await server.request('POST', `/api/v1/tokens/${spare.id}/revoke`, { token: owner.token, body: {} });
    expect((await ownerRestore(owner.token, spare.id)).status).toBe(200);
    expect((await server.exchange(spare.token)).status).toBe(200);
  });

  it("the owner cannot restore an admin's revocation; an admin can", async () => {
    const { owner, spare } = await ownerWithSpare();
    expect((await adminRevoke(spare.id)).status).toBe(200);
    const refused = await ownerRestore(owner.token, spare.id);
    expectFinal(refused);
    await expectStillRevoked(spare.token);
    const shown = await server.request('GET', `/api/v1/tokens/${spare.id}`, { token: owner.token });
    expect(shown.body).toMatchObject({ status: 'revoked', revocation_kind: 'admin' });
    const restored = await adminRestore(spare.id);
    expect(restored.status).toBe(200);
    expect(restored.body.status).toBe('active');
    expect((await server.exchange(spare.token)).status).toBe(200);
  });

  it('a leak report is final, for the owner and for an admin', async () => {
    const { owner, spare } = await ownerWithSpare();
    const report = await server.request('POST', '/api/v1/credentials/revoke', {
      body: { tokens: [spare.token] },
    });
    expect(report.status).toBe(202);
    expectFinal(await ownerRestore(owner.token, spare.id));
    expectFinal(await adminRestore(spare.id));
    await expectStillRevoked(spare.token);
  });

  it('a rotation is final', async () => {
    const { owner, spare } = await ownerWithSpare();
    const rotated = await server.request('POST', `/api/v1/tokens/${spare.id}/rotate`, {
      token: owner.token,
      body: {},
    });
    expect(rotated.status).toBe(201);
    expectFinal(await ownerRestore(owner.token, spare.id));
    expectFinal(await adminRestore(spare.id));
    await expectStillRevoked(spare.token);
  });

  it("a user's deletion is final", async () => {
    const { owner, spare } = await ownerWithSpare();
    expect(
      (await server.request('DELETE', `/api/v1/users/${owner.user.id}`, { token: server.adminToken })).status,
    ).toBe(204);
    expectFinal(await adminRestore(spare.id));
    await expectStillRevoked(spare.token);
  });

  it('an inactivity sweep is final (the last test: it moves the clock 31 days)', async () => {
    const { owner, spare } = await ownerWithSpare();
    server.advance(20 * DAY_MS);
    await server.request('GET', '/api/v1/me', { token: server.adminToken });
    await server.request('GET', '/api/v1/me', { token: owner.token });
    server.advance(11 * DAY_MS);
    await server.request('GET', '/api/v1/me', { token: server.adminToken });
    await server.request('GET', '/api/v1/me', { token: owner.token });
    expect(await server.tessera.sweepInactive()).toContain(spare.id);
    expectFinal(await ownerRestore(owner.token, spare.id));
    expectFinal(await adminRestore(spare.id));
    await expectStillRevoked(spare.token);
  });
});
