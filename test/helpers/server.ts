/**
 * A real Tessera on an ephemeral loopback port, on a real database, with a movable clock and a
 * captured log. One per test file; tests isolate themselves by creating their own users.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startTessera, type Tessera } from '../../src/main.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { freePort } from './tessera-process.js';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | undefined;
  body?: unknown;
  /** Raw body, sent as is (with `contentType`). */
  raw?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /**
   * Sends the path exactly as given, dot segments included, over `node:http`. `fetch` resolves
   * `..` and `.` (and their `%2e` spellings) before sending, as every WHATWG client does.
   */
  verbatimPath?: boolean;
}

export interface TestServer {
  url: string;
  tessera: Tessera;
  database: TestDatabase;
  dataDir: string;
  adminToken: string;
  adminId: string;
  /** Every log line written so far, as raw text. */
  logs: string[];
  /** Moves the server's clock forward. */
  advance(ms: number): void;
  /** The server's clock now. */
  now(): Date;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** `POST /token` with a form body; array values repeat the parameter. */
  tokenRequest<T = any>(
    form: Record<string, string | string[]>,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>>;
  /** A token exchange of `pat` with the standard parameters plus `extra`. */
  exchange<T = any>(pat: string, extra?: Record<string, string | string[]>): Promise<ApiResponse<T>>;
  /** Creates a user (as admin) and a PAT for them; returns both. */
  createUserWithToken(
    username: string,
    entitlements: string[],
    scopes?: string[],
    extra?: Record<string, unknown>,
  ): Promise<{ user: any; token: string; pat: any }>;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** The JSON config file's content. */
  configFile?: unknown;
  env?: Record<string, string>;
  /**
   * Sets the server's clock to this instant, where it stays until `advance` moves it (STYLE rule
   * 10: tests of `exp`, `iat` and expiry rules assert exact values). Without it the clock is the
   * host's, moved by `advance`.
   */
  clockAt?: Date;
}

const UNLIMITED = {
  tokenRequestsPerMinute: 1e6,
  failedAuthPerMinute: 1e6,
  leakReportsPerMinute: 1e6,
  consoleSignInPerMinute: 1e6,
};

/** One request over `node:http`, whose `path` goes on the wire unresolved; answered as a fetch `Response`. */
export function sendVerbatim(
  base: string,
  path: string,
  method: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
): Promise<Response> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = httpRequest({ hostname, port, path, method, headers: { ...headers, ...length } });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const answer = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const item of [value ?? []].flat()) answer.append(name, item);
        }
        const status = res.statusCode ?? 0;
        resolve(
          new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), {
            status,
            headers: answer,
          }),
        );
      });
    });
    req.end(body);
  });
}

/**
 * Every `/api/v1` response any suite receives through `request()` is checked against the OpenAPI
 * document the server serves (openapi-validator.ts), and a response the document does not allow
 * fails the request with the reasons (issue 15: a route answering what its description does not
 * say fails a test). `TESSERA_TEST_OPENAPI=0` turns it off, e.g. to time a suite without it.
 */
type ResponseCheck = (method: string, path: string, response: ApiResponse) => void;

async function openApiCheck(base: string): Promise<ResponseCheck | null> {
  if (process.env.TESSERA_TEST_OPENAPI === '0') return null;
  const { openApiValidator } = await import('./openapi-validator.js');
  const validator = openApiValidator(await (await fetch(`${base}/api/v1/openapi.json`)).json());
  return (method, path, response) => {
    const problems = validator.check(method, path, response);
    if (problems.length > 0) {
      throw new Error(`${method} ${path}: not as the OpenAPI document says\n${problems.join('\n')}`);
    }
  };
}

let counter = 0;
/** A username unique within the run. */
export const uniqueName = (base: string) => `${base}-${process.pid}-${++counter}`;

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    TESSERA_DATA_DIR: dataDir,
    TESSERA_KEYS_DIR: join(dataDir, 'keys'),
    TESSERA_ISSUER: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'debug',
    ...options.env,
  };
  // Every request in a test comes from 127.0.0.1: per-IP limits are lifted unless a test sets them.
  const file = (options.configFile ?? {}) as Record<string, unknown>;
  env.TESSERA_CONFIG = join(dataDir, 'tessera.config.json');
  // Exchange audit rows are written before each response, so tests can read them at once.
  writeFileSync(
    env.TESSERA_CONFIG,
    JSON.stringify({
      limits: UNLIMITED,
      audit: { exchangeFlushMs: 0 },
      ...file,
      // Test receivers listen on loopback over plain http; a test of the refusal sets it false.
      webhooks: { allowPrivateNetworks: true, ...(file.webhooks as object | undefined) },
    }),
  );
  const config = loadConfig(env);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  let offsetMs = 0;
  const setAt = options.clockAt?.getTime();
  const clock = () => new Date((setAt ?? Date.now()) + offsetMs);
  const database = await createTestDatabase();
  const tessera = await startTessera({ config, logger: createLogger('debug', sink), clock, db: database.db });
  // fetch keeps idle sockets 4 s; Node's server closes them after 5 s. On a loaded machine the
  // client's timer can fire late and a request goes out on a socket the server is closing
  // (ECONNRESET). Tests hold their sockets for the server's life instead.
  tessera.server.keepAliveTimeout = 600_000;
  const adminToken = readFileSync(join(dataDir, 'bootstrap-admin-token'), 'utf8').trim();
  const check = await openApiCheck(tessera.url);

  const request = async <T = any>(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | Buffer | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      if (opts.contentType) headers['content-type'] = opts.contentType;
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
    }
    const response = opts.verbatimPath
      ? await sendVerbatim(tessera.url, path, method, headers, body)
      : await fetch(`${tessera.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    const answer = { status: response.status, headers: response.headers, body: parsed as T, text };
    // The path as the server saw it: fetch resolves dot segments, a verbatim path is sent as is.
    const sent = opts.verbatimPath ? path : new URL(`${tessera.url}${path}`).pathname;
    check?.(method, sent, answer);
    return answer;
  };

  const tokenRequest = (form: Record<string, string | string[]>, headers: Record<string, string> = {}) => {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(form)) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
    }
    return request('POST', '/token', {
      raw: body.toString(),
      contentType: 'application/x-www-form-urlencoded',
      headers,
    });
  };

  const me = await request('GET', '/api/v1/me', { token: adminToken });
  const server: TestServer = {
    url: tessera.url,
    tessera,
    database,
    dataDir,
    adminToken,
    adminId: me.body.id,
    logs,
    advance: (ms) => {
      offsetMs += ms;
    },
    now: clock,
    request,
    tokenRequest,
    exchange: (pat, extra = {}) =>
      tokenRequest({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: pat,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        ...extra,
      }),
    async createUserWithToken(username, entitlements, scopes = entitlements, extra = {}) {
      const user = await request('POST', '/api/v1/users', {
        token: adminToken,
        body: { username, entitlements, ...extra },
      });
      if (user.status !== 201) throw new Error(`user create failed: ${user.text}`);
      const pat = await request('POST', `/api/v1/users/${user.body.id}/tokens`, {
        token: adminToken,
        body: { name: 'seed', scopes },
      });
      if (pat.status !== 201) throw new Error(`token create failed: ${pat.text}`);
      return { user: user.body, token: pat.body.token, pat: pat.body };
    },
    async stop() {
      await tessera.stop(1000);
      await database.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
