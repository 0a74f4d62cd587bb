/**
 * Property-based robustness of `POST /token` (docs/design.md, "What bad input gets"): whatever form,
 * content type and Authorization header a client sends, the answer is never a 5xx, every
 * refusal is RFC 6749 §5.2 / RFC 8693 §2.2.2 error JSON, every grant has the RFC 8693 §2.2.1
 * shape, no answer echoes a PAT's plaintext, every request leaves exactly one audit row and no
 * error in the log, and only a granted exchange touches a PAT row (its `last_used_at`).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { expectOAuthError } from '../../helpers/problems.js';
import { type ApiResponse, startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
const PARAMETERS = [
  'grant_type',
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
  'audience',
  'resource',
  'scope',
  'client_id',
  'client_secret',
];
/** RFC 6749 §5.2 and RFC 8693 §2.2.2 codes, plus the rate limit's. */
const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'too_many_requests',
];

/** A confidential client allowed to exchange, and one that is not. */
const EXCHANGER = { client_id: 'prop-exchanger', client_secret: 'exchanger-secret-0123456789' };
const OUTSIDER = { client_id: 'prop-outsider', client_secret: 'outsider-secret-0123456789' };

let server: TestServer;
let validPat: string;
/** The scopes `validPat` holds: no JWT it yields may carry any other. */
const VALID_PAT_SCOPES = ['repo:read', 'repo:write'];
let revokedPat: string;
/** The valid PAT with one checksum character changed. */
let brokenPat: string;

beforeAll(async () => {
  server = await startTestServer({
    configFile: { clients: [EXCHANGER, { ...OUTSIDER, grant_types: ['client_credentials'] }] },
  });
  const holder = await server.createUserWithToken(uniqueName('prop-token'), VALID_PAT_SCOPES);
  validPat = holder.token;
  const last = validPat.at(-1) === 'A' ? 'B' : 'A';
  brokenPat = validPat.slice(0, -1) + last;
  const revoked = await server.createUserWithToken(uniqueName('prop-revoked'), ['repo:read']);
  revokedPat = revoked.token;
  const revoke = await server.request('POST', `/api/v1/admin/tokens/${revoked.pat.id}/revoke`, {
    token: server.adminToken,
  });
  if (revoke.status !== 200) throw new Error(`setup failed: ${revoke.text}`);
}, 90_000);
afterAll(() => server.stop());

/** Printable ASCII: what an HTTP header value can carry. */
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
});
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Values that mean something to the grant, or nothing at all. */
function parameterValue(): fc.Arbitrary<string> {
  const apiAudience = `${server.url}/api`;
  return fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    fc.constantFrom(
      GRANT,
      ACCESS_TOKEN_TYPE,
      JWT_TOKEN_TYPE,
      'urn:ietf:params:oauth:token-type:id_token',
      'client_credentials',
      'refresh_token',
      '',
      ' ',
      'repo:read',
      'repo:read repo:write',
      'tessera:admin',
      apiAudience,
      `${apiAudience}/`,
      'https://elsewhere.example',
      'tessera-cli',
      EXCHANGER.client_id,
      EXCHANGER.client_secret,
      OUTSIDER.client_id,
      validPat,
      brokenPat,
      revokedPat,
      `${validPat} `,
      validPat.toLowerCase(),
      '%',
      '%ZZ',
      'x'.repeat(60 * 1024),
    ),
  );
}

/** A value, or the parameter repeated. */
const formValue = () =>
  fc.oneof(parameterValue(), fc.array(parameterValue(), { minLength: 2, maxLength: 3 }));

type Form = Record<string, string | string[]>;

/** Any parameters at all, named from the grant's vocabulary or at random. */
const arbitraryForm = (): fc.Arbitrary<Form> =>
  fc.dictionary(fc.oneof(fc.constantFrom(...PARAMETERS), fc.string()), formValue(), { maxKeys: 8 });

/** Mostly `real`, sometimes `other`. */
const usually = <T>(real: fc.Arbitrary<T>, other: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: real }, { weight: 1, arbitrary: other });

/**
 * A real exchange with up to two parameters dropped, set to something else or repeated: most
 * are refused, some are granted.
 */
const nearValidForm = (): fc.Arbitrary<Form> =>
  fc
    .tuple(
      usually(fc.constant(validPat), fc.constantFrom(brokenPat, revokedPat)),
      fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PARAMETERS), fc.string()), fc.option(formValue())), {
        maxLength: 2,
      }),
    )
    .map(([subject, edits]) => {
      const form: Form = { grant_type: GRANT, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE };
      for (const [name, value] of edits) {
        if (value === null) delete form[name];
        else form[name] = value;
      }
      return form;
    });

function encodeForm(form: Form): string {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
  }
  return body.toString();
}

/** How the form travels: urlencoded, as JSON, as loose text, as raw bytes, or not at all. */
const body = (): fc.Arbitrary<string | Buffer | undefined> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.oneof(arbitraryForm(), nearValidForm()).map(encodeForm) },
    { weight: 1, arbitrary: fc.oneof(arbitraryForm(), nearValidForm()).map((form) => JSON.stringify(form)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const contentType = fc.oneof(
  { weight: 3, arbitrary: fc.constant('application/x-www-form-urlencoded') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/x-www-form-urlencoded; charset=utf-8',
      'application/x-www-form-urlencoded; charset=latin1',
      'APPLICATION/X-WWW-FORM-URLENCODED',
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=xyz',
      undefined,
    ),
  },
);

/** No credentials, a real or invented client, or a bearer token where none belongs. */
const authorization = (): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    fc.string().map((text) => `Basic ${base64(text)}`),
    fc
      .tuple(
        fc.oneof(
          fc.constantFrom(EXCHANGER.client_id, OUTSIDER.client_id, 'tessera-cli', '%', '%E0%A4%A', 'a%20b'),
          fc.string(),
        ),
        fc.oneof(fc.constantFrom(EXCHANGER.client_secret, OUTSIDER.client_secret, ''), fc.string()),
      )
      .map(([id, secret]) => `Basic ${base64(`${id}:${secret}`)}`),
    headerText.map((text) => `Basic ${text}`),
    fc.oneof(headerText, fc.constantFrom(validPat, revokedPat)).map((token) => `Bearer ${token}`),
    headerText,
  );

interface TokenRequest {
  body: string | Buffer | undefined;
  contentType: string | undefined;
  authorization: string | undefined;
}

function send(request: TokenRequest): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (request.authorization !== undefined) headers.authorization = request.authorization;
  // Without a body, the content type still goes out: a bodiless form post is a case too.
  if (request.body === undefined && request.contentType) headers['content-type'] = request.contentType;
  return server.request('POST', '/token', {
    raw: request.body,
    ...(request.contentType ? { contentType: request.contentType } : {}),
    headers,
  });
}

/** Each PAT's lifecycle columns, and apart from them its usage columns. */
async function patSnapshot() {
  const { rows } = await server.database.db.query<{ state: string; used: string | null }>(
    `SELECT (id, revoked_at, revoked_reason, expires_at, scopes, name, token_hash)::text AS state,
            (last_used_at, last_used_ip)::text AS used
       FROM pats ORDER BY id`,
  );
  return rows;
}

async function auditRows(): Promise<number> {
  const { rows } = await server.database.db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM audit_events',
  );
  return rows[0]?.count ?? 0;
}

/** Log lines at error level or above written since `from`. */
const errorsLoggedSince = (from: number) =>
  server.logs.slice(from).filter((line) => /"level":(50|60)\b/.test(line));

/**
 * Sends the request and checks what every answer owes: one audit row, granted or refused (the
 * test server writes exchange rows before answering), no error in the log, and PAT rows
 * untouched but for the usage columns of a granted exchange.
 */
async function sendAndAudit(request: TokenRequest): Promise<ApiResponse> {
  const before = { pats: await patSnapshot(), audit: await auditRows(), log: server.logs.length };
  const response = await send(request);
  expectOAuthAnswer(response);
  const after = await patSnapshot();
  expect(after.map((row) => row.state)).toEqual(before.pats.map((row) => row.state));
  if (response.status !== 200) expect(after).toEqual(before.pats);
  expect(await auditRows()).toBe(before.audit + 1);
  expect(errorsLoggedSince(before.log)).toEqual([]);
  return response;
}

function expectOAuthAnswer(response: ApiResponse) {
  expect(response.status).toBeLessThan(500);
  for (const pat of [validPat, revokedPat]) expect(response.text).not.toContain(pat);
  if (response.status === 200) {
    expect(response.body).toEqual(
      expect.objectContaining({
        access_token: expect.any(String),
        issued_token_type: expect.stringMatching(/^urn:ietf:params:oauth:token-type:(access_token|jwt)$/),
        token_type: 'Bearer',
        expires_in: expect.any(Number),
        scope: expect.any(String),
      }),
    );
    expect(Number.isInteger(response.body.expires_in) && response.body.expires_in > 0).toBe(true);
    // The scope ceiling: only validPat is ever granted, and its JWT holds nothing it did not.
    const granted = String(decodeJwt(response.body.access_token).scope ?? '')
      .split(' ')
      .filter(Boolean);
    expect(granted.filter((scope) => !VALID_PAT_SCOPES.includes(scope))).toEqual([]);
    expect(granted.join(' ')).toBe(response.body.scope);
    return;
  }
  expectOAuthError(response, '4xx');
  expect(OAUTH_ERRORS).toContain(response.body?.error);
  if (response.body.error_description !== undefined)
    expect(typeof response.body.error_description).toBe('string');
}

describe('POST /token under arbitrary input', () => {
  it('never answers 5xx, answers RFC 6749 JSON, audits every request, never echoes a PAT, and leaves PATs alone unless it grants', async () => {
    const requests = fc.record({ body: body(), contentType, authorization: authorization() });
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        await sendAndAudit(request);
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it('refuses and audits any client it does not know, wherever the client_id comes from', async () => {
    // The refusal is audited with the client the request claimed to be: whatever that claim
    // holds (percent signs, NUL, lone surrogates), the refusal stays a refusal.
    const claim = fc.record({
      id: fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('%', '%zz', '%E0%A4%A', '\u0000', 'a+b')),
      secret: fc.string(),
      via: fc.constantFrom('basic', 'form'),
    });
    await fc.assert(
      fc.asyncProperty(claim, async ({ id, secret, via }) => {
        fc.pre(id !== '' && id !== 'tessera-cli' && id !== EXCHANGER.client_id && id !== OUTSIDER.client_id);
        const form: Form = {
          grant_type: GRANT,
          subject_token: validPat,
          subject_token_type: ACCESS_TOKEN_TYPE,
        };
        const response =
          via === 'basic'
            ? await sendAndAudit({
                body: encodeForm(form),
                contentType: 'application/x-www-form-urlencoded',
                authorization: `Basic ${base64(`${id}:${secret}`)}`,
              })
            : await sendAndAudit({
                body: encodeForm({ ...form, client_id: id, client_secret: secret }),
                contentType: 'application/x-www-form-urlencoded',
                authorization: undefined,
              });
        expect(response.status).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it('grants a well-formed exchange of a live PAT whatever unknown parameters ride along', async () => {
    // RFC 6749 §3.2: parameters the endpoint does not know are ignored, so every one is granted.
    const noise = fc.dictionary(
      fc.string().filter((key) => !PARAMETERS.includes(key) && key !== ''),
      fc.string(),
      { maxKeys: 3 },
    );
    await fc.assert(
      fc.asyncProperty(
        noise,
        fc.constantFrom(ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, undefined),
        async (extra, requested) => {
          const form: Form = {
            ...extra,
            grant_type: GRANT,
            subject_token: validPat,
            subject_token_type: ACCESS_TOKEN_TYPE,
            ...(requested ? { requested_token_type: requested } : {}),
          };
          const response = await sendAndAudit({
            body: encodeForm(form),
            contentType: 'application/x-www-form-urlencoded',
            authorization: undefined,
          });
          // Unknown parameters are ignored (RFC 6749 §3.2), so the exchange goes through.
          expect(response.status).toBe(200);
          expect(response.body.issued_token_type).toBe(requested ?? ACCESS_TOKEN_TYPE);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});

describe('the scope ceiling at /token', () => {
  it("no PAT yields a JWT with a scope outside its own scopes and its owner's entitlements", async () => {
    const CATALOGUE = ['repo:read', 'repo:write', 'repo:admin', 'user:read'];
    const scenario = fc.record({
      patScopes: fc.subarray(CATALOGUE, { minLength: 1 }),
      extraEntitled: fc.subarray(CATALOGUE),
      requested: fc.option(fc.subarray(CATALOGUE, { minLength: 1 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ patScopes, extraEntitled, requested }) => {
        const entitled = [...new Set([...patScopes, ...extraEntitled])];
        const { token } = await server.createUserWithToken(uniqueName('prop-ceiling'), entitled, patScopes);
        const response = await server.exchange(token, requested ? { scope: requested.join(' ') } : {});
        const within = !requested || requested.every((scope) => patScopes.includes(scope));
        expect(response.status).toBe(within ? 200 : 400);
        if (response.status !== 200) return;
        const granted = String(decodeJwt(response.body.access_token).scope).split(' ');
        expect(granted.every((scope) => patScopes.includes(scope))).toBe(true);
        if (requested) expect([...granted].sort()).toEqual([...requested].sort());
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
