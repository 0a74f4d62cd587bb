/**
 * The verifier README's framework recipes (packages/verify/README.md, "DPoP-bound tokens"), run
 * as written: its set-up block and one framework's block, in a real app of that framework, in
 * front of a real Tessera. `describeRecipe` is the whole suite, the same for every framework: a
 * DPoP-bound JWT with a proof for the request passes once; each misuse (abuse first) gets 401
 * with a DPoP challenge and never reaches the route.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRequestVerifier, TesseraTokenError } from 'tessera-jwt-verify';
import { type DpopKey, dpopKey, dpopProof, type ProofOptions } from './dpop.js';
import { sendVerbatim, startTestServer, type TestServer, uniqueName } from './server.js';

const README = readFileSync(new URL('../../packages/verify/README.md', import.meta.url), 'utf8');

/** The README's `PUBLIC_ORIGIN`: the service as its clients call it (behind a proxy, say). */
export const PUBLIC_ORIGIN = 'https://api.example.com';

/** The ```ts block under the README line that starts with `label` and ends with a colon. */
export function readmeBlock(label: string): string {
  const match = new RegExp(`^${label}[^\\n]*:\\n\\n\`\`\`ts\\n([\\s\\S]*?)\`\`\`\\n`, 'm').exec(README);
  if (!match) throw new Error(`packages/verify/README.md has no ${label} block`);
  return match[1] as string;
}

const IMPORT = /^import \{([^}]+)\} from 'tessera-jwt-verify';\n/gm;
/** What the README's import line may name: a function body cannot import, so these stand in. */
const PACKAGE: Record<string, unknown> = { createRequestVerifier, TesseraTokenError };

/**
 * The set-up block and `framework`'s block, run in one scope. `scope` gives what the README
 * leaves to the reader (`app` or `fastify`, `ISSUER`, `AUDIENCE`).
 */
export function runRecipe(framework: string, scope: Record<string, unknown>): void {
  const code = `${readmeBlock('Once per service')}\n${readmeBlock(framework)}`;
  for (const [, names] of code.matchAll(IMPORT)) {
    for (const name of (names as string).split(',')) expect(Object.keys(PACKAGE)).toContain(name.trim());
  }
  const names = { ...PACKAGE, ...scope };
  new Function(...Object.keys(names), code.replace(IMPORT, ''))(...Object.values(names));
}

/** A framework's app, listening on loopback with the recipe in front of `GET /repos`. */
export interface RecipeService {
  origin: string;
  close(): Promise<void>;
}

/** What the README's set-up block needs from the reader. */
export interface RecipeNames {
  ISSUER: string;
  AUDIENCE: string;
}

/**
 * Builds the app: the recipe (through `runRecipe`), then `GET /repos` answering `{ sub }` from
 * the claims the recipe stored; listening on 127.0.0.1.
 */
export type MountRecipe = (names: RecipeNames) => Promise<RecipeService>;

/** A `node:http` server told to listen on 127.0.0.1, once it does, as a `RecipeService`. */
export async function listening(server: Server): Promise<RecipeService> {
  if (!server.listening) await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

interface Tokens {
  /** The user the tokens are for. */
  sub: string;
  /** DPoP-bound (`cnf.jkt` of `key`). */
  bound: string;
  /** Unbound, a plain bearer JWT. */
  plain: string;
  /** Delegated (`act`: someone acts for `sub`), bound to `key`. */
  delegatedBound: string;
  /** Delegated, unbound. */
  delegatedPlain: string;
  /** Unbound, for Tessera's own API: another audience. */
  otherAudience: string;
}

async function mintTokens(tessera: TestServer, key: DpopKey): Promise<Tokens> {
  const scopes = ['tessera:tokens', 'repo:read'];
  const alice = await tessera.createUserWithToken(uniqueName('alice'), scopes, scopes);
  const bob = await tessera.createUserWithToken(uniqueName('bob'), scopes, scopes);
  const subject = await tessera.request('POST', '/api/v1/tokens', {
    token: alice.token,
    body: { name: uniqueName('delegable'), scopes: ['repo:read'], may_act: [{ user_id: bob.user.id }] },
  });
  expect(subject.status).toBe(201);
  const mint = async (form: Record<string, string>, bound: boolean) => {
    const proof = await dpopProof(key, {
      htu: `${tessera.url}/token`,
      iat: Math.floor(tessera.now().getTime() / 1000),
    });
    const response = await tessera.tokenRequest(
      { grant_type: EXCHANGE, subject_token_type: ACCESS_TOKEN, audience: PUBLIC_ORIGIN, ...form },
      bound ? { dpop: proof } : {},
    );
    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe(bound ? 'DPoP' : 'Bearer');
    return response.body.access_token as string;
  };
  const delegated = {
    subject_token: subject.body.token,
    actor_token: bob.token,
    actor_token_type: ACCESS_TOKEN,
  };
  return {
    sub: alice.user.id,
    bound: await mint({ subject_token: alice.token }, true),
    plain: await mint({ subject_token: alice.token }, false),
    delegatedBound: await mint(delegated, true),
    delegatedPlain: await mint(delegated, false),
    otherAudience: await mint({ subject_token: alice.token, audience: `${tessera.url}/api` }, false),
  };
}

interface Attempt {
  /** Sent as is, dot segments included (fetch would resolve them). Default `/repos`. */
  path?: string;
  headers: Headers;
}

/** `Authorization: <scheme> <token>` and one `DPoP` header per proof. */
const sent = (scheme: 'Bearer' | 'DPoP', token: string, ...proofs: string[]): Attempt => ({
  headers: new Headers([
    ['authorization', `${scheme} ${token}`],
    ...proofs.map((p): [string, string] => ['dpop', p]),
  ]),
});

interface Keys {
  key: DpopKey;
  attacker: DpopKey;
}

/** A proof for `GET /repos` at the public origin with the bound token's `ath`, unless told otherwise. */
function proofFor(t: Tokens, keys: Keys, options: Partial<ProofOptions> & { key?: DpopKey } = {}) {
  const { key = keys.key, ...claims } = options;
  return dpopProof(key, { htm: 'GET', htu: `${PUBLIC_ORIGIN}/repos`, accessToken: t.bound, ...claims });
}

/** Every misuse a recipe must refuse, as what is sent; built once the tokens exist. */
type AbuseCase = [string, (t: Tokens, keys: Keys, service: RecipeService) => Promise<Attempt>];

const ABUSE_CASES: AbuseCase[] = [
  ['no credentials', async () => ({ headers: new Headers() })],
  ['the bound JWT as Bearer', async (t) => sent('Bearer', t.bound)],
  [
    'the bound JWT as Bearer, with a good proof',
    async (t, k) => sent('Bearer', t.bound, await proofFor(t, k)),
  ],
  ['the bound JWT under DPoP without a proof', async (t) => sent('DPoP', t.bound)],
  ['two proofs', async (t, k) => sent('DPoP', t.bound, await proofFor(t, k), await proofFor(t, k))],
  [
    'a proof for another path',
    async (t, k) => sent('DPoP', t.bound, await proofFor(t, k, { htu: `${PUBLIC_ORIGIN}/admin` })),
  ],
  [
    'a proof for another method',
    async (t, k) => sent('DPoP', t.bound, await proofFor(t, k, { htm: 'POST' })),
  ],
  [
    // What a recipe that rebuilt the URL from the Host header would accept.
    "a proof for the service's loopback address instead of its public origin",
    async (t, k, service) => sent('DPoP', t.bound, await proofFor(t, k, { htu: `${service.origin}/repos` })),
  ],
  [
    // The URL the proof names is the path with its dots resolved; a router sees it as sent.
    'a proof for /repos sent to /admin/../repos',
    async (t, k) => ({ ...sent('DPoP', t.bound, await proofFor(t, k)), path: '/admin/../repos' }),
  ],
  [
    'a proof for another token (ath)',
    async (t, k) => sent('DPoP', t.bound, await proofFor(t, k, { accessToken: t.plain })),
  ],
  [
    "a proof by a key other than cnf.jkt's",
    async (t, k) => sent('DPoP', t.bound, await proofFor(t, k, { key: k.attacker })),
  ],
  [
    'a proof signed by another key than its header names',
    async (t, k) => sent('DPoP', t.bound, await proofFor(t, k, { signWith: k.attacker.privateKey })),
  ],
  [
    'a proof five minutes old',
    async (t, k) => sent('DPoP', t.bound, await proofFor(t, k, { iat: Math.floor(Date.now() / 1000) - 300 })),
  ],
  [
    'an unbound JWT under DPoP, with a proof for it',
    async (t, k) => sent('DPoP', t.plain, await proofFor(t, k, { accessToken: t.plain })),
  ],
  ['a JWT for another audience', async (t) => sent('Bearer', t.otherAudience)],
  // The set-up block does not pass `acceptDelegated: true`: a token with `act` is refused.
  [
    'a delegated JWT (act), bound, with a good proof',
    async (t, k) => sent('DPoP', t.delegatedBound, await proofFor(t, k, { accessToken: t.delegatedBound })),
  ],
  ['a delegated JWT (act) as Bearer', async (t) => sent('Bearer', t.delegatedPlain)],
];

/** The suite every recipe passes; `framework` is the README's label of its block. */
export function describeRecipe(framework: string, mount: MountRecipe): void {
  let tessera: TestServer;
  let service: RecipeService;
  let tokens: Tokens;
  let keys: Keys;

  beforeAll(async () => {
    tessera = await startTestServer({
      configFile: { resources: [{ audience: PUBLIC_ORIGIN, scopes: ['repo:read'], tokenTtlSeconds: 600 }] },
    });
    keys = { key: await dpopKey(), attacker: await dpopKey() };
    tokens = await mintTokens(tessera, keys.key);
    service = await mount({ ISSUER: tessera.url, AUDIENCE: PUBLIC_ORIGIN });
  }, 60_000);
  afterAll(async () => {
    await service?.close();
    await tessera?.stop();
  });

  const call = (attempt: Attempt, path = attempt.path ?? '/repos') =>
    sendVerbatim(service.origin, path, 'GET', Object.fromEntries(attempt.headers), undefined);

  /** 401, a DPoP challenge naming invalid_token, and the route never ran. */
  async function expectRefused(response: Response) {
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
    expect(await response.json()).toEqual({ error: 'invalid_token' });
  }

  describe(`packages/verify README: the ${framework} recipe`, () => {
    it('lets a bound JWT with a proof for the request through once; the replay is refused', async () => {
      const attempt = sent('DPoP', tokens.bound, await proofFor(tokens, keys));
      const ok = await call(attempt, '/repos?page=1');
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ sub: tokens.sub });
      await expectRefused(await call(attempt));
    });

    it('lets an unbound JWT through as Bearer, as verify would', async () => {
      const ok = await call(sent('Bearer', tokens.plain));
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ sub: tokens.sub });
    });

    it.each(ABUSE_CASES)('refuses %s: 401 with a DPoP challenge', async (_, attempt) => {
      await expectRefused(await call(await attempt(tokens, keys, service)));
    });
  });
}
