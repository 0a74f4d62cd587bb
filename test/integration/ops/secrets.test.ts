import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ApiResponse, startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const sha256Hex = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** Every stored row of `table`, each rendered as PostgreSQL's text form of the whole row. */
async function rowsAsText(table: 'pats' | 'audit_events' | 'users'): Promise<string[]> {
  const { rows } = await server.database.db.query<{ row: string }>(`SELECT t::text AS row FROM ${table} t`);
  return rows.map((r) => r.row);
}

function expectNowhere(texts: string[], secrets: string[]) {
  for (const text of texts) {
    for (const secret of secrets) expect(text).not.toContain(secret);
  }
}

describe('PAT plaintext after it is issued', () => {
  let owner: string;
  let original: { id: string; token: string };
  let rotated: { id: string; token: string };
  let createText: string;
  let rotateText: string;
  const later: ApiResponse[] = [];

  beforeAll(async () => {
    const username = uniqueName('secret-keeper');
    ({ token: owner } = await server.createUserWithToken(username, ['tessera:tokens', 'repo:read']));

    const created = await server.request('POST', '/api/v1/tokens', {
      token: owner,
      body: { name: 'laptop', scopes: ['tessera:tokens', 'repo:read'] },
    });
    expect(created.status).toBe(201);
    original = { id: created.body.id, token: created.body.token };
    createText = created.text;

    const rotation = await server.request('POST', `/api/v1/tokens/${original.id}/rotate`, { token: owner });
    expect(rotation.status).toBe(201);
    rotated = { id: rotation.body.id, token: rotation.body.token };
    rotateText = rotation.text;

    // Everything that follows may show these PATs but never their secrets.
    const calls: [string, string, string, unknown?][] = [
      ['GET', '/api/v1/me', rotated.token],
      ['GET', '/api/v1/me', original.token], // revoked by the rotation: 401
      ['GET', '/api/v1/tokens', rotated.token],
      ['GET', '/api/v1/tokens?status=revoked', owner],
      ['GET', `/api/v1/tokens/${original.id}`, rotated.token],
      ['GET', `/api/v1/tokens/${rotated.id}`, owner],
      ['POST', `/api/v1/tokens/${rotated.id}/revoke`, owner],
      ['GET', '/api/v1/me', rotated.token], // revoked: 401
      ['POST', `/api/v1/tokens/${rotated.id}/restore`, owner],
      ['GET', '/api/v1/me', rotated.token],
      ['GET', `/api/v1/admin/tokens?user=${username}`, server.adminToken],
      ['GET', '/api/v1/admin/tokens', server.adminToken],
      ['GET', '/api/v1/admin/stats', server.adminToken],
      ['POST', '/api/v1/tokens', rotated.token, { name: 'bad', scopes: ['repo:read'], bogus: true }],
      ['POST', '/api/v1/credentials/revoke', '', { tokens: [`${rotated.token}x`] }],
    ];
    for (const [method, path, token, body] of calls) {
      later.push(await server.request(method, path, { token, body }));
    }
  });

  it('is in the create and rotate responses exactly once, and rotation does not repeat the old one', () => {
    expect(original.token).toMatch(/^tsr_[0-9A-Za-z]{36}$/);
    expect(rotated.token).toMatch(/^tsr_[0-9A-Za-z]{36}$/);
    expect(rotated.token).not.toBe(original.token);
    expect(createText.split(original.token)).toHaveLength(2);
    expect(rotateText.split(rotated.token)).toHaveLength(2);
    expect(rotateText).not.toContain(original.token);
  });

  it('the later calls behaved as the lifecycle says (so the scan below saw real responses)', () => {
    expect(later.map((r) => r.status)).toEqual([
      200, 401, 200, 200, 200, 200, 200, 401, 200, 200, 200, 200, 200, 400, 202,
    ]);
    expect(later[10]?.body.items.map((p: { id: string }) => p.id)).toEqual(
      expect.arrayContaining([original.id, rotated.id]),
    );
  });

  it('never appears in any later response', () => {
    expectNowhere(
      later.map((r) => r.text),
      [original.token, rotated.token],
    );
  });

  it('never appears in any log line', () => {
    expect(server.logs.length).toBeGreaterThan(later.length);
    expectNowhere(server.logs, [original.token, rotated.token, owner, server.adminToken]);
  });

  it('is stored nowhere in pats, audit_events or users', async () => {
    const secrets = [original.token, rotated.token, owner, server.adminToken];
    const stored = [...(await rowsAsText('pats')), ...(await rowsAsText('audit_events'))];
    expect(stored.length).toBeGreaterThan(4);
    expectNowhere(stored, secrets);
    expectNowhere(await rowsAsText('users'), secrets);
  });

  it('is stored only as its SHA-256 hash', async () => {
    const { rows } = await server.database.db.query<{ id: string; hash: string }>(
      "SELECT id::text AS id, encode(token_hash, 'hex') AS hash FROM pats WHERE id = ANY($1::uuid[])",
      [[original.id, rotated.id]],
    );
    const byId = Object.fromEntries(rows.map((r) => [r.id, r.hash]));
    expect(byId[original.id]).toBe(sha256Hex(original.token));
    expect(byId[rotated.id]).toBe(sha256Hex(rotated.token));
  });
});

describe('request logging of credentials', () => {
  /** The log lines of the request that carried `X-Request-Id: reqId`. */
  function linesOf(reqId: string): string[] {
    return server.logs.filter((line) => line.includes(reqId));
  }

  it('does not log the Authorization header of an authenticated request', async () => {
    const { token } = await server.createUserWithToken(uniqueName('header'), ['tessera:tokens']);
    const reqId = `auth-header-${process.pid}`;
    const response = await server.request('GET', '/api/v1/tokens', {
      token,
      headers: { 'x-request-id': reqId },
    });
    expect(response.status).toBe(200);

    const lines = linesOf(reqId);
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ path: '/api/v1/tokens', status: 200 });
    for (const line of lines) {
      expect(line).not.toContain(token);
      expect(line.toLowerCase()).not.toContain('bearer');
    }
    expectNowhere(server.logs, [token]);
  });

  it('does not log a rejected bearer token or the query string it might ride in', async () => {
    const { token, pat } = await server.createUserWithToken(uniqueName('query'), ['tessera:tokens']);
    await server.request('POST', `/api/v1/admin/tokens/${pat.id}/revoke`, { token: server.adminToken });
    const reqId = `rejected-${process.pid}`;
    const response = await server.request('GET', `/api/v1/tokens?access_token=${token}`, {
      token,
      headers: { 'x-request-id': reqId },
    });
    expect(response.status).toBe(401);
    expect(response.text).not.toContain(token);
    expect(linesOf(reqId).length).toBeGreaterThan(0);
    expectNowhere(server.logs, [token]);
  });

  it('does not log the body of a malformed request that carries a token', async () => {
    const { token } = await server.createUserWithToken(uniqueName('malformed'), ['tessera:tokens']);
    for (const raw of [`{"tokens":["${token}"]`, `{"tokens":["${token}"]} trailing`, `"${token}"`]) {
      const response = await server.request('POST', '/api/v1/credentials/revoke', {
        raw,
        contentType: 'application/json',
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.text).not.toContain(token);
    }
    expectNowhere(server.logs, [token]);
  });

  it('does not log tokens reported as leaked', async () => {
    const { token } = await server.createUserWithToken(uniqueName('leak'), ['tessera:tokens']);
    const response = await server.request('POST', '/api/v1/credentials/revoke', {
      body: { tokens: [token] },
    });
    expect(response.status).toBe(202);
    expect(response.text).not.toContain(token);
    expect((await server.request('GET', '/api/v1/me', { token })).status).toBe(401);
    expectNowhere(server.logs, [token]);
  });
});
