/**
 * The verifier README's Python recipe (PyJWT, DPoP) is the file packages/verify/examples/verify_dpop.py,
 * shown byte for byte, and it does what it says against real tokens from a real Tessera: a bound
 * JWT with a proof for the request, once; every abuse of issue 21's list refused. Needs
 * /usr/bin/python3 with PyJWT and cryptography (Debian python3-jwt; CI installs it).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DpopKey, dpopKey, dpopProof, type ProofOptions } from '../../helpers/dpop.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const EXAMPLES = fileURLToPath(new URL('../../../packages/verify/examples/', import.meta.url));
const RECIPE = readFileSync(`${EXAMPLES}verify_dpop.py`, 'utf8');
const README = readFileSync(new URL('../../../packages/verify/README.md', import.meta.url), 'utf8');
const AUDIENCE = 'https://api.example.com';
const SERVICE = `${AUDIENCE}/repos`;
const AT = 'urn:ietf:params:oauth:token-type:access_token';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** Runs the recipe over `cases` in one process (one replay store), answering one line each. */
const DRIVER = `
import json, sys
sys.path.insert(0, sys.argv[1])
import jwt
from verify_dpop import verify_request
config = json.load(sys.stdin)
jwks = jwt.PyJWKClient(config["jwks_uri"])
answers = []
for case in config["cases"]:
    try:
        claims = verify_request(case["method"], case["url"], case["headers"], issuer=config["issuer"],
                                audience=config["audience"], jwks_client=jwks,
                                accept_delegated=case.get("accept_delegated", False))
        answers.append("accepted " + claims["sub"])
    except jwt.PyJWTError as error:
        answers.append("refused " + str(error))
print(json.dumps(answers))
`;

interface Case {
  method: string;
  url: string;
  headers: Record<string, string>;
  accept_delegated?: boolean;
}

function runRecipe(input: unknown): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-c', DRIVER, EXAMPLES], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`python3 exited ${code}: ${stderr}`));
      resolve(JSON.parse(stdout) as string[]);
    });
    child.stdin.end(JSON.stringify(input));
  });
}

let server: TestServer;
let key: DpopKey;
let other: DpopKey;
let userId: string;
let aliceId: string;
let bound: string;
let unbound: string;
let delegated: string;

beforeAll(async () => {
  server = await startTestServer({
    configFile: { resources: [{ audience: AUDIENCE, scopes: ['repo:read'], tokenTtlSeconds: 900 }] },
  });
  key = await dpopKey();
  other = await dpopKey();
  const scopes = ['tessera:tokens', 'repo:read'];
  const holder = await server.createUserWithToken(uniqueName('py'), scopes, scopes);
  userId = holder.user.id;
  const exchange = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    server.tokenRequest(
      { grant_type: EXCHANGE, subject_token_type: AT, audience: AUDIENCE, ...form },
      headers,
    );
  const proof = await dpopProof(key, { htu: `${server.url}/token`, iat: nowSeconds() });
  bound = (await exchange({ subject_token: holder.token }, { dpop: proof })).body.access_token;
  unbound = (await exchange({ subject_token: holder.token })).body.access_token;

  const alice = await server.createUserWithToken(uniqueName('alice'), scopes, scopes);
  aliceId = alice.user.id;
  const subject = await server.request('POST', '/api/v1/tokens', {
    token: alice.token,
    body: { name: 'delegable', scopes: ['repo:read'], may_act: [{ user_id: userId }] },
  });
  delegated = (
    await exchange({ subject_token: subject.body.token, actor_token: holder.token, actor_token_type: AT })
  ).body.access_token;
}, 60_000);
afterAll(() => server?.stop());

function nowSeconds() {
  return Math.floor(server.now().getTime() / 1000);
}

const proofFor = (options: Partial<ProofOptions> = {}, by = key) =>
  dpopProof(by, { htm: 'GET', htu: SERVICE, accessToken: bound, iat: nowSeconds(), ...options });
const dpop = (proof: string, token = bound, url = SERVICE): Case => ({
  method: 'GET',
  url,
  headers: { Authorization: `DPoP ${token}`, DPoP: proof },
});
const bearer = (token: string, extra: Partial<Case> = {}): Case => ({
  method: 'GET',
  url: SERVICE,
  headers: { Authorization: `Bearer ${token}` },
  ...extra,
});

describe('packages/verify README: the PyJWT DPoP recipe', () => {
  it('is shown in the README byte for byte', () => {
    const marker = '<!-- examples/verify_dpop.py -->\n```python\n';
    const start = README.indexOf(marker);
    expect(start).toBeGreaterThan(-1);
    const body = README.slice(start + marker.length);
    expect(body.slice(0, body.indexOf('```\n'))).toBe(RECIPE);
  });

  it('accepts a bound JWT with its proof once, and refuses each abuse', async () => {
    const good = await proofFor();
    const [head, payload, signature] = unbound.split('.') as [string, string, string];
    const tampered = [head, payload, (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1)].join('.');
    const cases: [string, Case][] = [
      ['accepted', dpop(good)],
      ['refused DPoP proof: replayed', dpop(good)],
      ['accepted', dpop(await proofFor(), bound, `${SERVICE}?page=2`)],
      ['refused a DPoP-bound token sent as Bearer', bearer(bound)],
      ['refused DPoP proof: made for another request', dpop(await proofFor({ htu: `${AUDIENCE}/admin` }))],
      [
        'refused DPoP proof: made for another request',
        dpop(await proofFor({ htu: 'https://evil.example/repos' })),
      ],
      ['refused DPoP proof: made for another request', dpop(await proofFor({ htm: 'POST' }))],
      ['refused DPoP proof: made for another token (ath)', dpop(await proofFor({ accessToken: unbound }))],
      ['refused DPoP proof: signed by a key the token is not bound to', dpop(await proofFor({}, other))],
      ['refused Signature verification failed', dpop(await proofFor({ signWith: other.privateKey }))],
      ['refused DPoP proof: iat outside the window', dpop(await proofFor({ iat: nowSeconds() - 120 }))],
      [
        'refused DPoP proof: wrong typ or alg',
        dpop(await proofFor({ alg: 'HS256', signWith: new Uint8Array(32) })),
      ],
      ['refused DPoP proof: wrong typ or alg', dpop(await proofFor({ header: { typ: 'JWT' } }))],
      ['refused', { ...dpop(''), headers: { Authorization: `DPoP ${bound}` } }],
      ['accepted', bearer(unbound)],
      ['refused', bearer(tampered)],
      ['refused the token is not DPoP-bound', dpop(await proofFor({ accessToken: unbound }), unbound)],
      ['refused delegated token (act): accept it only on purpose', bearer(delegated)],
      ['accepted', bearer(delegated, { accept_delegated: true })],
    ];
    const answers = await runRecipe({
      issuer: server.url,
      audience: AUDIENCE,
      jwks_uri: `${server.url}/jwks`,
      cases: cases.map(([, c]) => c),
    });
    const subs = [userId, userId, userId, aliceId];
    const expected = cases.map(([want]) => (want === 'accepted' ? `accepted ${subs.shift()}` : want));
    expect(answers.map((answer, i) => (expected[i] === 'refused' ? answer.split(' ')[0] : answer))).toEqual(
      expected,
    );
  });
});
