/**
 * Free text is scanned for PATs before it is stored (issue 18): a token pasted into a token's
 * name or an admin's revocation reason is stored as `[redacted]`, and the PAT it names is
 * revoked as leaked (final), whichever path wrote it: the API, the console, the CLI (which
 * goes through the API). A lookalike that fails the checksum is redacted and revokes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleClient } from '../../helpers/console.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

async function victim() {
  return server.createUserWithToken(uniqueName('victim'), ['tessera:tokens', 'repo:read']);
}

async function statusOf(id: string) {
  const shown = await server.request('GET', `/api/v1/admin/tokens?limit=100`, { token: server.adminToken });
  const found = shown.body.items.find((p: { id: string }) => p.id === id);
  return { status: found?.status, reason: found?.revoked_reason, name: found?.name };
}

async function storedAnywhere(token: string) {
  const { rows } = await server.database.db.query<{ t: string }>(
    `SELECT (SELECT coalesce(string_agg(row_to_json(p)::text, ''), '') FROM pats p) ||
            (SELECT coalesce(string_agg(row_to_json(a)::text, ''), '') FROM audit_events a) AS t`,
  );
  return rows[0]?.t.includes(token) ?? false;
}

describe('a token pasted into a name', () => {
  it('through the API: the name is stored redacted and the named PAT is revoked as leaked', async () => {
    const leaked = await victim();
    const author = await server.createUserWithToken(uniqueName('author'), ['tessera:tokens', 'repo:read']);
    const made = await server.request('POST', '/api/v1/tokens', {
      token: author.token,
      body: { name: `ci ${leaked.token}`, scopes: ['repo:read'] },
    });
    expect(made.status).toBe(201);
    expect(made.body.name).toBe('ci [redacted]');
    expect(await statusOf(leaked.pat.id)).toMatchObject({ status: 'revoked', reason: 'reported leaked' });
    expect((await server.exchange(leaked.token)).status).toBe(400);
    expect(await storedAnywhere(leaked.token)).toBe(false);
    // Final: nobody restores a leaked token.
    const restore = await server.request('POST', `/api/v1/tokens/${leaked.pat.id}/restore`, {
      token: server.adminToken,
    });
    expect(restore.status).toBeGreaterThanOrEqual(400);
  });

  it("through an admin's create-for-user, and a lookalike with a bad checksum revokes nothing", async () => {
    const leaked = await victim();
    const lookalike = `${leaked.token.slice(0, -1)}${leaked.token.endsWith('A') ? 'B' : 'A'}`;
    const made = await server.request('POST', `/api/v1/users/${leaked.user.id}/tokens`, {
      token: server.adminToken,
      body: { name: lookalike, scopes: ['repo:read'] },
    });
    expect(made.status).toBe(201);
    expect(made.body.name).toBe('[redacted]');
    expect((await statusOf(leaked.pat.id)).status).toBe('active');
  });

  it('through the console form', async () => {
    const leaked = await victim();
    const author = await server.createUserWithToken(uniqueName('author'), ['tessera:tokens', 'repo:read']);
    const client = new ConsoleClient(server);
    await client.signInWithToken(author.token);
    const page = await client.post(
      '/console/tokens',
      { name: `laptop${leaked.token}`, scopes: 'repo:read' },
      { from: '/console/tokens/new' },
    );
    expect(page.status).toBeLessThan(400);
    const listed = await server.request('GET', '/api/v1/tokens', { token: author.token });
    expect(listed.body.items.map((p: { name: string }) => p.name)).toContain('laptop[redacted]');
    expect((await statusOf(leaked.pat.id)).status).toBe('revoked');
  });

  it('a name that is only the token of the PAT presenting it revokes that PAT (and answers no 500)', async () => {
    const self = await victim();
    const made = await server.request('POST', '/api/v1/tokens', {
      token: self.token,
      body: { name: self.token, scopes: ['repo:read'] },
    });
    expect(made.status).toBe(201);
    expect(made.body.name).toBe('[redacted]');
    expect((await statusOf(self.pat.id)).status).toBe('revoked');
  });
});

describe("a token pasted into an admin's revocation reason", () => {
  it('stores the reason redacted and revokes the PAT it names', async () => {
    const target = await victim();
    const leaked = await victim();
    const answer = await server.request('POST', `/api/v1/admin/tokens/${target.pat.id}/revoke`, {
      token: server.adminToken,
      body: { reason: `found next to ${leaked.token} on a pastebin` },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.revoked_reason).toBe('admin: found next to [redacted] on a pastebin');
    expect(await statusOf(leaked.pat.id)).toMatchObject({ status: 'revoked', reason: 'reported leaked' });
    expect(await storedAnywhere(leaked.token)).toBe(false);
  });

  it('a reason naming the very PAT revoked leaves it revoked as leaked (final)', async () => {
    const target = await victim();
    const answer = await server.request('POST', `/api/v1/admin/tokens/${target.pat.id}/revoke`, {
      token: server.adminToken,
      body: { reason: target.token },
    });
    expect(answer.status).toBe(200);
    expect(await statusOf(target.pat.id)).toMatchObject({ status: 'revoked', reason: 'reported leaked' });
  });
});

describe("a token pasted into a webhook endpoint's description", () => {
  it('stores the description redacted on create and on PATCH, and revokes the PATs it names', async () => {
    const first = await victim();
    const created = await server.request('POST', '/api/v1/admin/webhooks', {
      token: server.adminToken,
      body: { url: 'http://127.0.0.1:9/hook', events: ['token.created'], description: `ci ${first.token}` },
    });
    expect(created.status).toBe(201);
    expect(created.body.description).toBe('ci [redacted]');
    expect(await statusOf(first.pat.id)).toMatchObject({ status: 'revoked', reason: 'reported leaked' });

    const second = await victim();
    const changed = await server.request('PATCH', `/api/v1/admin/webhooks/${created.body.id}`, {
      token: server.adminToken,
      body: { description: `now ${second.token}` },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.description).toBe('now [redacted]');
    expect(await statusOf(second.pat.id)).toMatchObject({ status: 'revoked', reason: 'reported leaked' });
    expect(await storedAnywhere(first.token)).toBe(false);
    expect(await storedAnywhere(second.token)).toBe(false);
  });
});
