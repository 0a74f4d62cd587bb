/**
 * The direct exchange (src/oidc/direct-exchange.ts, issue 19) answers plain public-client token
 * exchanges without oidc-provider's pipeline. It must answer exactly as that pipeline does, so
 * each request here is sent twice: as is (direct), and with one parameter nobody knows added,
 * which oidc-provider ignores but which sends the request through it. Status, body (the JWT
 * aside), headers and the audit row must match; `tessera_token_requests_total{handler}` shows
 * which path answered. Then the abuse side: requests carrying anything the provider decides
 * (client credentials, a duplicated parameter, CORS, an HTML client) never take the direct path.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { generatePat } from '../../../src/pat/format.js';
import { type DpopKey, dpopKey, dpopProof } from '../../helpers/dpop.js';
import { type ApiResponse, startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const BOT_ID = 'direct-bot';
const BOT_SECRET = 'direct-bot-secret-71c3e9a0d5';
/** Headers that differ between any two responses, whoever answers. */
const PER_RESPONSE = new Set(['date', 'content-length', 'keep-alive', 'connection', 'x-request-id']);

type Form = Record<string, string | string[]>;

let server: TestServer;
let pat: string;
let boundPat: string;
let key: DpopKey;
let tokenUrl: string;

beforeAll(async () => {
  server = await startTestServer({
    configFile: { clients: [{ client_id: BOT_ID, client_secret: BOT_SECRET }] },
  });
  ({ token: pat } = await server.createUserWithToken(uniqueName('direct'), ['tessera:tokens', 'repo:read']));
  const holder = await server.createUserWithToken(uniqueName('bound'), ['tessera:tokens', 'repo:read']);
  const created = await server.request('POST', '/api/v1/tokens', {
    token: holder.token,
    body: { name: 'bound', scopes: ['repo:read'], require_dpop: true },
  });
  boundPat = created.body.token;
  key = await dpopKey();
  tokenUrl = (await server.request('GET', '/.well-known/oauth-authorization-server')).body.token_endpoint;
});
afterAll(() => server?.stop());

async function handlerCounts(): Promise<Record<string, number>> {
  const { text } = await server.request('GET', '/metrics');
  const counts: Record<string, number> = { direct: 0, provider: 0 };
  for (const [, handler, value] of text.matchAll(
    /^tessera_token_requests_total\{handler="(\w+)"\} (\d+)$/gm,
  )) {
    counts[handler as string] = Number(value);
  }
  return counts;
}

/** Sends the request; returns the answer and which path answered it. */
async function send(form: Form, headers: Record<string, string> = {}) {
  const before = await handlerCounts();
  const response = await server.tokenRequest(form, headers);
  const after = await handlerCounts();
  const handler = (['direct', 'provider'] as const).find((name) => after[name] === (before[name] ?? 0) + 1);
  return { response, handler };
}

function comparable(response: ApiResponse) {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!PER_RESPONSE.has(name)) headers[name] = name === 'dpop-nonce' ? '<nonce>' : value;
  });
  const body = { ...response.body };
  if (typeof body.access_token === 'string') body.access_token = '<jwt>';
  return { status: response.status, headers, body };
}

interface AuditRow {
  outcome: string;
  pat_id: string | null;
  client_id: string | null;
  audience: string | null;
  scope: string | null;
  reason: string | null;
  dpop_jkt: string | null;
}

let agents = 0;
async function auditRowOf(agent: string): Promise<AuditRow | undefined> {
  const { rows } = await server.database.db.query<AuditRow>(
    `SELECT outcome, pat_id, client_id, audience, scope, reason, dpop_jkt
     FROM audit_events WHERE action = 'token.exchanged' AND user_agent = $1`,
    [agent],
  );
  expect(rows.length).toBeLessThanOrEqual(1);
  return rows[0];
}

/** Sends `form` directly and through the provider; expects the same answer and audit row. */
async function expectSameBothWays(form: Form) {
  const direct = `tessera-direct-test/${process.pid}.${++agents}`;
  const viaProvider = `tessera-direct-test/${process.pid}.${++agents}`;
  const first = await send(form, { 'user-agent': direct });
  const second = await send({ ...form, unknown_extension: '1' }, { 'user-agent': viaProvider });
  expect(first.handler).toBe('direct');
  expect(second.handler).toBe('provider');
  expect(comparable(first.response)).toEqual(comparable(second.response));
  expect(await auditRowOf(direct)).toEqual(await auditRowOf(viaProvider));
  return first.response;
}

const exchangeForm = (subject: string, extra: Form = {}): Form => ({
  grant_type: GRANT,
  subject_token: subject,
  subject_token_type: ACCESS_TOKEN_TYPE,
  ...extra,
});

describe('the direct path answers as oidc-provider does', () => {
  it('a granted exchange: same token response, and a JWT that verifies against the JWKS', async () => {
    const response = await expectSameBothWays(exchangeForm(pat, { scope: 'repo:read' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { payload } = await jwtVerify(
      response.body.access_token,
      createRemoteJWKSet(new URL(`${server.url}/jwks`)),
      {
        issuer: server.url,
        typ: 'at+jwt',
      },
    );
    expect(payload.client_id).toBe('tessera-cli');
    expect(payload.scope).toBe('repo:read');
  });

  it('client_id=tessera-cli named explicitly, and an empty scope, are the same request', async () => {
    const response = await expectSameBothWays(exchangeForm(pat, { client_id: 'tessera-cli', scope: '' }));
    expect(response.status).toBe(200);
  });

  it.each([
    ['an unknown PAT', () => exchangeForm(generatePat('tsr'))],
    ['a malformed subject token', () => exchangeForm('tsr_nope')],
    ['a scope beyond the PAT', () => exchangeForm(pat, { scope: 'repo:write' })],
    ['an unknown audience', () => exchangeForm(pat, { audience: 'https://nowhere.example' })],
    ['two audiences', () => exchangeForm(pat, { audience: ['a', 'b'] })],
    ['no subject_token_type', () => ({ grant_type: GRANT, subject_token: pat })],
    ['no subject_token', () => ({ grant_type: GRANT, subject_token_type: ACCESS_TOKEN_TYPE })],
    [
      'an unsupported requested_token_type',
      () => exchangeForm(pat, { requested_token_type: 'urn:x:unknown' }),
    ],
    ['a require_dpop PAT without a proof', () => exchangeForm(boundPat)],
  ])('a refusal: %s', async (_name, form) => {
    const response = await expectSameBothWays(form());
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(typeof response.body.error).toBe('string');
  });
});

describe('a DPoP proof on the direct path', () => {
  it('binds the token to the proof key, as through the provider', async () => {
    const proof = async () => ({
      dpop: await dpopProof(key, { htu: tokenUrl, iat: Math.floor(server.now().getTime() / 1000) }),
    });
    const [direct, viaProvider] = [await proof(), await proof()];
    const first = await send(exchangeForm(boundPat), direct);
    const second = await send({ ...exchangeForm(boundPat), unknown_extension: '1' }, viaProvider);
    expect([first.handler, second.handler]).toEqual(['direct', 'provider']);
    expect(comparable(first.response)).toEqual(comparable(second.response));
    expect(first.response.body.token_type).toBe('DPoP');
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload } = await jwtVerify(first.response.body.access_token, jwks, { issuer: server.url });
    expect(payload.cnf).toEqual({ jkt: key.jkt });

    // A proof is single-use on either path: replaying the direct one through the provider fails.
    const replayed = await send({ ...exchangeForm(boundPat), unknown_extension: '1' }, direct);
    expect(replayed.response.status).toBe(400);
    expect(replayed.response.body.error).toBe('invalid_dpop_proof');
  });
});

describe('requests the provider must decide never take the direct path', () => {
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  it('tessera-cli with a client_secret: the provider refuses the credential', async () => {
    const { response, handler } = await send(
      exchangeForm(pat, { client_id: 'tessera-cli', client_secret: 'x' }),
    );
    expect(handler).toBe('provider');
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
  });

  it('a confidential client (Basic): authenticated by the provider, wrong secret refused', async () => {
    const good = await send(exchangeForm(pat), { authorization: basic(BOT_ID, BOT_SECRET) });
    expect(good.handler).toBe('provider');
    expect(good.response.status).toBe(200);
    const bad = await send(exchangeForm(pat), { authorization: basic(BOT_ID, 'wrong') });
    expect(bad.handler).toBe('provider');
    expect(bad.response.body.error).toBe('invalid_client');
  });

  it('a confidential client named in the form with no secret is refused by the provider', async () => {
    const { response, handler } = await send(exchangeForm(pat, { client_id: BOT_ID }));
    expect(handler).toBe('provider');
    expect(response.body.error).toBe('invalid_client');
  });

  it('a Bearer Authorization header goes to the provider, which does not take it as a client', async () => {
    const { response, handler } = await send(exchangeForm(pat), { authorization: `Bearer ${pat}` });
    expect(handler).toBe('provider');
    expect(response.status).toBe(400);
  });

  it('a client_assertion goes to the provider', async () => {
    const { response, handler } = await send(
      exchangeForm(pat, {
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: 'not.a.jwt',
      }),
    );
    expect(handler).toBe('provider');
    expect(response.status).toBeGreaterThanOrEqual(400);
  });

  it('a duplicated parameter gets the provider’s refusal', async () => {
    const { response, handler } = await send({ ...exchangeForm(pat), scope: ['repo:read', 'repo:read'] });
    expect(handler).toBe('provider');
    expect(response.status).toBe(400);
    expect(response.body.error_description).toMatch(/scope.*(twice|more than once)/i);
  });

  it('a scope outside RFC 6749 §3.3 syntax gets the provider’s refusal', async () => {
    const { response, handler } = await send(exchangeForm(pat, { scope: 'repo:read  double-space' }));
    expect(handler).toBe('provider');
    expect(response.status).toBe(400);
  });

  it('another grant type goes to the provider', async () => {
    const { response, handler } = await send({ grant_type: 'client_credentials' });
    expect(handler).toBe('provider');
    expect(response.status).toBe(400);
  });

  it('a cross-origin request goes to the provider, whose client-based CORS refuses it', async () => {
    const { response, handler } = await send(exchangeForm(pat), { origin: 'https://evil.example' });
    expect(handler).toBe('provider');
    expect(response.status).toBe(400);
    expect(response.body.error_description).toMatch(/origin https:\/\/evil\.example not allowed/);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a client preferring HTML goes to the provider', async () => {
    const { handler } = await send(exchangeForm(generatePat('tsr')), { accept: 'text/html' });
    expect(handler).toBe('provider');
  });
});
