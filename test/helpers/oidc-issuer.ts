/**
 * A real OIDC issuer on loopback for federation tests: a `node:http` server with a discovery
 * document and a JWKS, minting tokens shaped like GitHub Actions' and GitLab CI's with jose's
 * SignJWT. Keys rotate, the server stops and starts on the same port, and it counts the
 * requests it served, so tests can see what Tessera fetched.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
type SigningKey = { kid: string; alg: string; privateKey: PrivateKey; publicJwk: JWK; spki: string };

export interface MintOptions {
  /** Seconds since the epoch; default now. */
  iat?: number;
  /** Lifetime in seconds from `iat`; default 300. */
  lifetime?: number;
  /** Sign with this key id (default: the current key). */
  kid?: string;
}

export interface TestIssuer {
  url: string;
  /** Requests served, by path. */
  hits: Map<string, number>;
  /** Adds a new key, signs with it from now on; `keepOld: false` also unpublishes the old ones. */
  rotate(options?: { keepOld?: boolean }): Promise<string>;
  /** A token signed by the current key. */
  mint(claims: JWTPayload, options?: MintOptions): Promise<string>;
  /** An unsigned token (`alg: none`). */
  unsigned(claims: JWTPayload): string;
  /** An HS256 token whose secret is the issuer's published public key (the key-confusion attack). */
  hmacWithPublicKey(claims: JWTPayload): Promise<string>;
  githubClaims(overrides?: JWTPayload): JWTPayload;
  gitlabClaims(overrides?: JWTPayload): JWTPayload;
  /** A projected service-account token's claims. */
  kubernetesClaims(overrides?: JWTPayload): JWTPayload;
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

async function newKey(alg: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk, spki: await exportSPKI(publicKey) };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

export async function startTestIssuer(options: { alg?: string; host?: string } = {}): Promise<TestIssuer> {
  const alg = options.alg ?? 'RS256';
  const host = options.host ?? '127.0.0.1';
  let keys = [await newKey(alg)];
  const hits = new Map<string, number>();
  let url = '';

  const handler = (req: { url?: string | undefined }, res: import('node:http').ServerResponse) => {
    const path = new URL(req.url ?? '/', url).pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const documents: Record<string, unknown> = {
      '/.well-known/openid-configuration': {
        issuer: url,
        jwks_uri: `${url}/.well-known/jwks`,
        id_token_signing_alg_values_supported: [alg],
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
      },
      '/.well-known/jwks': { keys: keys.map((k) => k.publicJwk) },
    };
    const body = documents[path];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(body ? JSON.stringify(body) : '{}');
  };

  let server: Server = createServer(handler);
  await new Promise<void>((done) => server.listen(0, host, done));
  const { port } = server.address() as AddressInfo;
  url = `http://${host}:${port}`;
  const current = () => keys.at(-1) as SigningKey;

  return {
    url,
    hits,
    async rotate({ keepOld = true } = {}) {
      const key = await newKey(alg);
      keys = keepOld ? [...keys, key] : [key];
      return key.kid;
    },
    async mint(claims, { iat = now(), lifetime = 300, kid } = {}) {
      const key = kid ? (keys.find((k) => k.kid === kid) as SigningKey) : current();
      return new SignJWT({ iss: url, iat, exp: iat + lifetime, ...claims })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .sign(key.privateKey);
    },
    unsigned(claims) {
      const iat = now();
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: url, iat, exp: iat + 300, ...claims })}.`;
    },
    async hmacWithPublicKey(claims) {
      const key = current();
      const iat = now();
      return new SignJWT({ iss: url, iat, exp: iat + 300, ...claims })
        .setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' })
        .sign(new TextEncoder().encode(key.spki));
    },
    githubClaims(overrides = {}) {
      return {
        jti: randomUUID(),
        sub: 'repo:acme/api:ref:refs/heads/main',
        aud: 'https://tessera.test',
        ref: 'refs/heads/main',
        sha: 'a'.repeat(40),
        repository: 'acme/api',
        repository_id: '123456',
        repository_owner: 'acme',
        repository_owner_id: '42',
        run_id: '1',
        run_attempt: '1',
        actor: 'octocat',
        workflow: 'deploy',
        event_name: 'push',
        ref_type: 'branch',
        environment: 'prod',
        job_workflow_ref: 'acme/api/.github/workflows/deploy.yml@refs/heads/main',
        runner_environment: 'github-hosted',
        ...overrides,
      };
    },
    gitlabClaims(overrides = {}) {
      return {
        jti: randomUUID(),
        sub: 'project_path:acme/api:ref_type:branch:ref:main',
        aud: 'https://tessera.test',
        namespace_id: '7',
        namespace_path: 'acme',
        project_id: '2001',
        project_path: 'acme/api',
        pipeline_id: '99',
        pipeline_source: 'push',
        ref: 'main',
        ref_type: 'branch',
        ref_protected: 'true',
        environment: 'production',
        environment_protected: 'true',
        ...overrides,
      };
    },
    kubernetesClaims(overrides = {}) {
      return {
        sub: 'system:serviceaccount:deploy:deployer',
        aud: ['https://tessera.test'],
        'kubernetes.io': {
          namespace: 'deploy',
          pod: { name: 'deployer-7d9f', uid: randomUUID() },
          serviceaccount: { name: 'deployer', uid: randomUUID() },
        },
        ...overrides,
      };
    },
    stop() {
      // Kept-alive connections (Tessera's fetch pool) would hold close() open.
      const closed = new Promise<void>((done, fail) => server.close((err) => (err ? fail(err) : done())));
      server.closeAllConnections();
      return closed;
    },
    async start() {
      server = createServer(handler);
      await new Promise<void>((done) => server.listen(port, host, done));
    },
  };
}
