import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generatePat } from '../../../src/pat/format.js';
import { expectProblem } from '../../helpers/problems.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const LEAK_REASON = 'reported leaked';

/** An unauthenticated report, as a secret scanner would send it. */
const report = (tokens: unknown, extra: Record<string, unknown> = {}) =>
  server.request('POST', '/api/v1/credentials/revoke', { body: { tokens, ...extra } });

const meStatus = async (token: string) => (await server.request('GET', '/api/v1/me', { token })).status;

async function patOf(userId: string, patId: string) {
  const listed = await server.request('GET', `/api/v1/admin/tokens?user=${userId}`, {
    token: server.adminToken,
  });
  return listed.body.items.find((item: { id: string }) => item.id === patId);
}

async function auditOf(patId: string) {
  const { rows } = await server.database.db.query<{
    action: string;
    actor_user_id: string | null;
    reason: string | null;
  }>('SELECT action, actor_user_id, reason FROM audit_events WHERE pat_id = $1 ORDER BY id', [patId]);
  return rows;
}

/** A fresh user with one active PAT. */
const victim = () => server.createUserWithToken(uniqueName('leak'), ['tessera:tokens']);

describe('POST /api/v1/credentials/revoke', () => {
  it('revokes a reported active PAT, without authentication, and audits it', async () => {
    const { user, token, pat } = await victim();
    expect(await meStatus(token)).toBe(200);

    const response = await report([token]);
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ status: 'accepted' });

    expect(await meStatus(token)).toBe(401);
    expect(await patOf(user.id, pat.id)).toMatchObject({ status: 'revoked', revoked_reason: LEAK_REASON });

    const rows = await auditOf(pat.id);
    expect(rows.map((row) => row.action)).toEqual(['pat.created', 'pat.revoked']);
    expect(rows[1]).toMatchObject({ action: 'pat.revoked', reason: LEAK_REASON, actor_user_id: null });
  });

  it('answers byte-identically whether the token is valid, revoked, unknown, garbage or a mix', async () => {
    const active = await victim();
    const revoked = await victim();
    const revokedBefore = await server.request('POST', `/api/v1/tokens/${revoked.pat.id}/revoke`, {
      token: revoked.token,
    });
    expect(revokedBefore.body.revoked_reason).not.toBe(LEAK_REASON);
    const mixA = await victim();
    const mixB = await victim();

    const cases: unknown[][] = [
      [active.token],
      [revoked.token],
      [generatePat('tsr')],
      ['garbage'],
      [`${active.token.slice(0, -1)}x`],
      ['ghp_0123456789abcdefghijklmnopqrstuvwxyz'],
      [mixA.token, 'garbage', generatePat('tsr'), revoked.token, mixB.token, mixA.token],
    ];
    const responses = [];
    for (const tokens of cases) responses.push(await report(tokens));

    const [first] = responses;
    expect(first?.status).toBe(202);
    for (const response of responses) {
      expect(response.status).toBe(202);
      expect(response.text).toBe(first?.text);
      expect(response.headers.get('content-type')).toBe(first?.headers.get('content-type'));
    }

    // Each valid active one was revoked; the already revoked one kept its original revocation.
    for (const leaked of [active, mixA, mixB]) {
      expect(await meStatus(leaked.token)).toBe(401);
      expect(await patOf(leaked.user.id, leaked.pat.id)).toMatchObject({
        status: 'revoked',
        revoked_reason: LEAK_REASON,
      });
      const revocations = (await auditOf(leaked.pat.id)).filter((row) => row.action === 'pat.revoked');
      expect(revocations).toEqual([expect.objectContaining({ reason: LEAK_REASON, actor_user_id: null })]);
    }
    expect(await patOf(revoked.user.id, revoked.pat.id)).toMatchObject({
      status: 'revoked',
      revoked_reason: revokedBefore.body.revoked_reason,
      revoked_at: revokedBefore.body.revoked_at,
    });
    const revokedRows = (await auditOf(revoked.pat.id)).filter((row) => row.action === 'pat.revoked');
    expect(revokedRows).toHaveLength(1);
  });

  it('leaves a token alone when the report names a near miss of it', async () => {
    const { token } = await victim();
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect((await report([`${token.slice(0, -1)}${last}`, token.toLowerCase(), ` ${token}`])).status).toBe(
      202,
    );
    expect(await meStatus(token)).toBe(200);
  });

  it('accepts 100 tokens and rejects 101 with 400', async () => {
    const { token } = await victim();
    const filler = Array.from({ length: 99 }, () => generatePat('tsr'));

    const tooMany = await report([...filler, 'garbage', token]);
    expectProblem(tooMany, 400, 'invalid_request');
    expect(await meStatus(token)).toBe(200);

    const hundred = await report([...filler, token]);
    expect(hundred.status).toBe(202);
    expect(await meStatus(token)).toBe(401);
  });

  it('rejects an empty list, a missing or mistyped list, and unknown fields with 400', async () => {
    const { token } = await victim();
    const bodies: unknown[] = [
      { tokens: [] },
      {},
      { tokens: token },
      { tokens: [42] },
      { tokens: [token], source: 'scanner' },
      [token],
    ];
    for (const body of bodies) {
      const response = await server.request('POST', '/api/v1/credentials/revoke', { body });
      expect(response.status).toBe(400);
      expect(response.body.code).toEqual(expect.any(String));
    }
    const unknownField = await report([token], { source: 'scanner' });
    expect(unknownField.body.code).toBe('invalid_request');
    expect(unknownField.body.errors.map((e: { field: string }) => e.field)).toEqual(['source']);
    expect(await meStatus(token)).toBe(200);
  });

  it('rejects a body that is not JSON with 415, reading nothing', async () => {
    const { token } = await victim();
    const attempts = [
      { raw: JSON.stringify({ tokens: [token] }), contentType: 'text/plain' },
      { raw: `tokens=${token}`, contentType: 'application/x-www-form-urlencoded' },
    ];
    for (const attempt of attempts) {
      const response = await server.request('POST', '/api/v1/credentials/revoke', attempt);
      expectProblem(response, 415, 'unsupported_media_type');
    }
    expect(await meStatus(token)).toBe(200);
  });

  it('rejects malformed JSON with 400, not a server error', async () => {
    const { token } = await victim();
    for (const raw of ['{"tokens": [', `{"tokens": ["${token}"]`, 'null', '"tokens"']) {
      const response = await server.request('POST', '/api/v1/credentials/revoke', {
        raw,
        contentType: 'application/json',
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.code).toBe('invalid_json');
    }
    expect(await meStatus(token)).toBe(200);
  });
});
