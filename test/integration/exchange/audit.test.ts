/**
 * The audit trail of token exchange (docs/design.md, "Token exchange"): every exchange the grant
 * handles, granted or denied, writes one `token.exchanged` row with the PAT id when known, the
 * user, client, audience, scope, jti, IP, user agent, outcome and an internal reason; a granted
 * exchange records the PAT's last use. Rows are read straight from `audit_events`.
 *
 * Each request sends its own User-Agent, which is how a test finds its row.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { generatePat } from '../../../src/pat/format.js';
import { expectOAuthError } from '../../helpers/problems.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const DAY_MS = 86_400_000;
const BOT_ID = 'audit-bot';
const BOT_SECRET = 'audit-bot-secret-5c1d9e7a3f';
const NO_EXCHANGE_ID = 'audit-no-exchange';
const NO_EXCHANGE_SECRET = 'audit-no-exchange-secret-8b2f';
const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$|^::1$/;

interface AuditRow {
  id: string;
  occurred_at: Date;
  action: string;
  outcome: 'success' | 'failure';
  actor_user_id: string | null;
  subject_user_id: string | null;
  pat_id: string | null;
  ip: string | null;
  user_agent: string | null;
  client_id: string | null;
  audience: string | null;
  scope: string | null;
  jti: string | null;
  reason: string | null;
}

let server: TestServer;
let apiAudience: string;
beforeAll(async () => {
  // A set clock (STYLE rule 10): stamped times are asserted exactly.
  server = await startTestServer({
    clockAt: new Date(Date.UTC(2026, 10, 2, 9, 0, 0)),
    configFile: {
      clients: [
        { client_id: BOT_ID, client_secret: BOT_SECRET },
        { client_id: NO_EXCHANGE_ID, client_secret: NO_EXCHANGE_SECRET, grant_types: ['client_credentials'] },
      ],
    },
  });
  apiAudience = `${server.url}/api`;
});
afterAll(() => server.stop());

let agents = 0;
/** A User-Agent no other request of this run sends. */
const uniqueAgent = () => `tessera-audit-test/${process.pid}.${++agents}`;

/** An exchange with its own User-Agent; returns the response and that agent. */
async function exchangeAs(
  pat: string,
  extra: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  const agent = uniqueAgent();
  const response = await server.tokenRequest(
    { grant_type: GRANT, subject_token: pat, subject_token_type: ACCESS_TOKEN_TYPE, ...extra },
    { 'user-agent': agent, ...headers },
  );
  return { response, agent };
}

/** The `token.exchanged` rows written by requests with this User-Agent. */
async function auditRowsOf(agent: string): Promise<AuditRow[]> {
  const { rows } = await server.database.db.query<AuditRow>(
    `SELECT id, occurred_at, action, outcome, actor_user_id, subject_user_id, pat_id, ip, user_agent,
            client_id, audience, scope, jti, reason
     FROM audit_events WHERE action = 'token.exchanged' AND user_agent = $1 ORDER BY id`,
    [agent],
  );
  return rows;
}

/** The one audit row of an exchange. */
async function auditRowOf(agent: string): Promise<AuditRow> {
  const rows = await auditRowsOf(agent);
  expect(rows).toHaveLength(1);
  return rows[0] as AuditRow;
}

/** RFC 6749 §2.3.1 HTTP Basic client credentials. */
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

const newHolder = (base: string, entitlements: string[], scopes = entitlements) =>
  server.createUserWithToken(uniqueName(base), entitlements, scopes);

async function createOwnPat(ownerToken: string, body: Record<string, unknown>) {
  const created = await server.request('POST', '/api/v1/tokens', { token: ownerToken, body });
  if (created.status !== 201) throw new Error(`token create failed: ${created.text}`);
  return created.body as { id: string; token: string };
}

describe('audit of granted exchanges', () => {
  it('writes a success row with PAT, user, client, audience, scope, jti, ip and user agent', async () => {
    const { token, user, pat } = await newHolder('granted', ['tessera:tokens', 'repo:read']);
    const { response, agent } = await exchangeAs(token, { scope: 'repo:read' });
    expect(response.status).toBe(200);
    const jwt = decodeJwt(response.body.access_token as string);

    const row = await auditRowOf(agent);
    expect(row).toMatchObject({
      action: 'token.exchanged',
      outcome: 'success',
      actor_user_id: user.id,
      subject_user_id: user.id,
      pat_id: pat.id,
      client_id: 'tessera-cli',
      audience: apiAudience,
      scope: 'repo:read',
      jti: jwt.jti,
      user_agent: agent,
      reason: null,
    });
    expect(row.ip).toMatch(LOOPBACK);
  });

  it('records the authenticated confidential client', async () => {
    const { token, pat } = await newHolder('bot', ['repo:read']);
    const { response, agent } = await exchangeAs(token, {}, { authorization: basic(BOT_ID, BOT_SECRET) });
    expect(response.status).toBe(200);
    expect(await auditRowOf(agent)).toMatchObject({
      outcome: 'success',
      client_id: BOT_ID,
      pat_id: pat.id,
      jti: decodeJwt(response.body.access_token as string).jti,
    });
  });

  it("updates the PAT's last_used_at and last_used_ip", async () => {
    const owner = await newHolder('last-used', ['tessera:tokens', 'repo:read']);
    const work = await createOwnPat(owner.token, { name: 'ci', scopes: ['repo:read'] });
    const show = () => server.request('GET', `/api/v1/tokens/${work.id}`, { token: owner.token });

    expect((await show()).body).toMatchObject({ last_used_at: null, last_used_ip: null });
    const before = server.now().getTime();
    const { response, agent } = await exchangeAs(work.token);
    expect(response.status).toBe(200);

    const shown = (await show()).body;
    expect(shown.last_used_ip).toMatch(LOOPBACK);
    expect(typeof shown.last_used_at).toBe('string');
    // Stamped by the server's clock during the exchange, before its audit row was written.
    const row = await auditRowOf(agent);
    expect(Date.parse(shown.last_used_at)).toBe(before);
    expect(row.occurred_at.getTime()).toBe(before);
  });

  it('a denied exchange of a usable PAT leaves last_used_at untouched', async () => {
    const owner = await newHolder('unused', ['tessera:tokens', 'repo:read']);
    const work = await createOwnPat(owner.token, { name: 'ci', scopes: ['repo:read'] });
    const { response } = await exchangeAs(work.token, { scope: 'repo:write' });
    expectOAuthError(response, 400, 'invalid_scope');
    const shown = await server.request('GET', `/api/v1/tokens/${work.id}`, { token: owner.token });
    expect(shown.body).toMatchObject({ last_used_at: null, last_used_ip: null });
  });
});

describe('audit of denied exchanges', () => {
  it('an unusable subject token: a failure row per cause, with the PAT id when known and a distinct reason', async () => {
    // Expiry first: the clock moves past it before the others are created.
    const expiring = await newHolder('expired', ['tessera:tokens', 'repo:read']);
    const shortLived = await createOwnPat(expiring.token, {
      name: 'short',
      scopes: ['repo:read'],
      expires_in_days: 1,
    });
    server.advance(DAY_MS + 60_000);

    const valid = await newHolder('checksum', ['repo:read']);
    const badChecksum = `${valid.token.slice(0, -1)}${valid.token.endsWith('A') ? 'B' : 'A'}`;

    const revoked = await newHolder('revoked', ['repo:read']);
    await server.request('POST', `/api/v1/admin/tokens/${revoked.pat.id}/revoke`, {
      token: server.adminToken,
      body: {},
    });
    const disabled = await newHolder('disabled', ['repo:read']);
    await server.request('POST', `/api/v1/users/${disabled.user.id}/disable`, {
      token: server.adminToken,
      body: {},
    });
    const deleted = await newHolder('deleted', ['repo:read']);
    await server.request('DELETE', `/api/v1/users/${deleted.user.id}`, { token: server.adminToken });

    const cases = [
      { cause: 'bad checksum', token: badChecksum, patId: null, userId: null, reason: /checksum/i },
      { cause: 'unknown', token: generatePat('tsr'), patId: null, userId: null, reason: /unknown/i },
      {
        cause: 'revoked',
        token: revoked.token,
        patId: revoked.pat.id,
        userId: revoked.user.id,
        reason: /revoked/i,
      },
      {
        cause: 'expired',
        token: shortLived.token,
        patId: shortLived.id,
        userId: expiring.user.id,
        reason: /expired/i,
      },
      {
        cause: 'user disabled',
        token: disabled.token,
        patId: disabled.pat.id,
        userId: disabled.user.id,
        reason: /disabled/i,
      },
      {
        cause: 'user deleted',
        token: deleted.token,
        patId: deleted.pat.id,
        userId: deleted.user.id,
        reason: /deleted/i,
      },
    ];

    const reasons: string[] = [];
    for (const { cause, token, patId, userId, reason } of cases) {
      const { response, agent } = await exchangeAs(token, { scope: 'repo:read' });
      expectOAuthError(response, 400, 'invalid_request');
      const row = await auditRowOf(agent);
      expect({ cause, ...row }).toMatchObject({
        cause,
        action: 'token.exchanged',
        outcome: 'failure',
        pat_id: patId,
        subject_user_id: userId,
        client_id: 'tessera-cli',
        jti: null,
        user_agent: agent,
        reason: expect.stringMatching(reason),
      });
      expect(row.ip).toMatch(LOOPBACK);
      // The internal reason stays internal.
      expect(response.text).not.toContain(row.reason as string);
      reasons.push(row.reason as string);
    }
    expect(new Set(reasons).size).toBe(cases.length);
  });

  it('a malformed request: a failure row without PAT, audience or jti', async () => {
    const { token } = await newHolder('params', ['repo:read']);
    const { response, agent } = await exchangeAs(token, { actor_token: token });
    expectOAuthError(response, 400, 'invalid_request');
    expect(await auditRowOf(agent)).toMatchObject({
      outcome: 'failure',
      pat_id: null,
      client_id: 'tessera-cli',
      audience: null,
      jti: null,
      reason: expect.any(String),
    });
  });

  it('an unknown target: a failure row with the PAT id and user, no audience', async () => {
    const { token, user, pat } = await newHolder('target', ['repo:read']);
    const { response, agent } = await exchangeAs(token, { audience: 'https://unknown.example.com' });
    expectOAuthError(response, 400, 'invalid_target');
    expect(await auditRowOf(agent)).toMatchObject({
      outcome: 'failure',
      pat_id: pat.id,
      subject_user_id: user.id,
      audience: null,
      jti: null,
      reason: expect.any(String),
    });
  });

  it('a scope outside the PAT: a failure row with the PAT id and audience, no scope or jti', async () => {
    const { token, pat } = await newHolder('scope', ['repo:read']);
    const { response, agent } = await exchangeAs(token, { scope: 'repo:write' });
    expectOAuthError(response, 400, 'invalid_scope');
    expect(await auditRowOf(agent)).toMatchObject({
      outcome: 'failure',
      pat_id: pat.id,
      audience: apiAudience,
      scope: null,
      jti: null,
      reason: expect.any(String),
    });
  });

  it('different causes on the same PAT get different reasons', async () => {
    const { token } = await newHolder('causes', ['repo:read']);
    const target = await exchangeAs(token, { audience: 'https://unknown.example.com' });
    const scope = await exchangeAs(token, { scope: 'repo:write' });
    const targetRow = await auditRowOf(target.agent);
    const scopeRow = await auditRowOf(scope.agent);
    expect(targetRow.reason).not.toBe(scopeRow.reason);
  });

  it('a client not allowed the grant: a failure row naming that client', async () => {
    const { token, user } = await newHolder('unauthorized', ['repo:read']);
    const { response, agent } = await exchangeAs(
      token,
      {},
      { authorization: basic(NO_EXCHANGE_ID, NO_EXCHANGE_SECRET) },
    );
    expectOAuthError(response, 400, 'unauthorized_client');
    const row = await auditRowOf(agent);
    expect(row).toMatchObject({
      outcome: 'failure',
      client_id: NO_EXCHANGE_ID,
      jti: null,
      reason: expect.any(String),
    });
    expect([null, user.id]).toContain(row.subject_user_id);
  });

  it('a failed client authentication: a failure row with the client it claimed to be', async () => {
    const { token } = await newHolder('bad-client', ['repo:read']);
    const { response, agent } = await exchangeAs(
      token,
      {},
      { authorization: basic(BOT_ID, 'wrong-secret-0123456789') },
    );
    expectOAuthError(response, 401, 'invalid_client');
    expect(await auditRowOf(agent)).toMatchObject({
      action: 'token.exchanged',
      outcome: 'failure',
      client_id: BOT_ID,
      jti: null,
      user_agent: agent,
      reason: expect.any(String),
    });
  });
});
