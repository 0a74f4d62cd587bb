import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectOAuthError, expectProblem } from '../../helpers/problems.js';
import { chunkedPost, type RawAnswer, rawExchange, statusLineCode } from '../../helpers/raw-socket.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

/** Long enough that 20 ordinary requests fit inside it on a loaded 2-core machine (2 s did not). */
const REQUEST_TIMEOUT_MS = 4000;
const AUDIENCE = 'https://api.example.com';
const CLIENT = { client_id: 'limits-bot', client_secret: 'limits-bot-secret-0123456789' };
const EXCHANGE = {
  grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
};
const FORM = 'application/x-www-form-urlencoded';
/** A wide batching window, so that concurrent exchanges share one audit batch. */
const AUDIT_FLUSH_MS = 500;

let server: TestServer;
let port: number;
/** A working PAT of a user of this file's own, its id, and the user's id. */
let pat: string;
let patId: string;
let userId: string;
/** The server's request counter when the file started: a restarted app would count from 0. */
let requestsAtStart: number;

beforeAll(async () => {
  server = await startTestServer({
    configFile: {
      server: { requestTimeoutMs: REQUEST_TIMEOUT_MS, headersTimeoutMs: REQUEST_TIMEOUT_MS },
      resources: [{ audience: AUDIENCE, scopes: ['repo:read', 'repo:write'] }],
      clients: [CLIENT],
      // Exchange audit rows are batched, as in production (the harness writes each at once).
      audit: { exchangeFlushMs: AUDIT_FLUSH_MS },
    },
  });
  port = Number(new URL(server.url).port);
  const seeded = await server.createUserWithToken(uniqueName('limits'), ['repo:read', 'tessera:tokens']);
  pat = seeded.token;
  patId = seeded.pat.id;
  userId = seeded.user.id;
  requestsAtStart = await requestCount();
}, 90_000);
afterAll(() => server.stop());

/** Sum of `tessera_http_requests_total` over every label set. */
async function requestCount(): Promise<number> {
  const metrics = await server.request('GET', '/metrics');
  let total = 0;
  for (const line of metrics.text.split('\n')) {
    const match = /^tessera_http_requests_total\{[^}]*\} (\d+)/.exec(line);
    if (match) total += Number(match[1]);
  }
  return total;
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A token request as the default public client, and as a configured confidential one. */
const AUTH_MODES: Record<string, string>[] = [
  {},
  { authorization: basic(CLIENT.client_id, CLIENT.client_secret) },
];

/** The server still answers normal requests, on /token and on /api/v1. */
async function expectServing() {
  expect((await server.request('GET', '/healthz')).status).toBe(200);
  expect((await server.exchange(pat, { audience: AUDIENCE })).status).toBe(200);
  expect((await server.request('GET', '/api/v1/me', { token: pat })).status).toBe(200);
}

/** A request head with `lines` as its header fields (Host and Connection: close added). */
const head = (requestLine: string, lines: string[]) =>
  [requestLine, 'Host: 127.0.0.1', ...lines, 'Connection: close', '', ''].join('\r\n');

/** `n` distinct names, as short as they can be: aa, ab, ..., then three characters. */
function shortNames(n: number): string[] {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-_.~';
  const names: string[] = [];
  for (const a of alphabet) for (const b of alphabet) names.push(`${a}${b}`);
  for (const a of alphabet) for (const b of alphabet) for (const c of alphabet) names.push(`${a}${b}${c}`);
  return names.slice(0, n);
}

/** `n` header fields with distinct names, each carrying `value`. */
const manyHeaders = (n: number, value: string) => shortNames(n).map((name) => `x${name}:${value}`);

interface Trickle {
  /** Resolves with the server's answer: 408, another status, 'closed', or 'no answer'. */
  answer: Promise<RawAnswer>;
  /** True once the server answered or closed. */
  settled(): boolean;
}

/**
 * A slow client on its own connection: writes `first` at once, then one byte of `drip` every
 * 200 ms until the server answers or closes, or `trickleMs` have passed (then the client goes
 * quiet and leaves the connection open); gives up waiting `graceMs` after that.
 */
function trickle(first: string, drip: string, trickleMs: number, graceMs: number): Trickle {
  let settled = false;
  const answer = new Promise<RawAnswer>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let closed = false;
    let sent = 0;
    const started = Date.now();
    const finish = () => {
      if (settled) return;
      settled = true;
      clearInterval(ticker);
      clearTimeout(deadline);
      resolve({ status: statusLineCode(received) ?? (closed ? 'closed' : 'no answer'), text: received });
      socket.destroy();
    };
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (/\r\n\r\n/.test(received)) finish();
    });
    socket.on('error', () => {}); // a reset is one of the accepted answers
    socket.on('close', () => {
      closed = true;
      finish();
    });
    if (first) socket.write(first);
    const ticker = setInterval(() => {
      if (sent >= drip.length || Date.now() - started > trickleMs) return clearInterval(ticker);
      socket.write(drip.charAt(sent++));
    }, 200);
    const deadline = setTimeout(finish, trickleMs + graceMs);
  });
  return { answer, settled: () => settled };
}

// First in the file, so that the server has just started: a timeout enforced only by a late,
// coarse periodic check cannot pass for a working one.
describe('slow clients', () => {
  // Each trickle stops after 12 s (3x the configured 4 s), and the server gets 3 s more.
  const TRICKLE_MS = 3 * REQUEST_TIMEOUT_MS;
  const GRACE_MS = 3000;
  let slowToken: Trickle;
  let slowApi: Trickle;
  let slowHead: Trickle;
  let others: number[];
  let othersMs: number;
  let stillTrickling: boolean;

  beforeAll(async () => {
    const body = 'a'.repeat(4096);
    slowToken = trickle(
      head('POST /token HTTP/1.1', [`Content-Type: ${FORM}`, `Content-Length: ${body.length}`]),
      body,
      TRICKLE_MS,
      GRACE_MS,
    );
    slowApi = trickle(
      head('POST /api/v1/tokens HTTP/1.1', [
        `Authorization: Bearer ${pat}`,
        'Content-Type: application/json',
        `Content-Length: ${body.length}`,
      ]),
      body,
      TRICKLE_MS,
      GRACE_MS,
    );
    // About 100 bytes of head at 5 bytes a second: far slower than the 4 s headers timeout.
    slowHead = trickle(
      '',
      head('GET /api/v1/me HTTP/1.1', [`X-Slow: ${'s'.repeat(40)}`]),
      TRICKLE_MS,
      GRACE_MS,
    );
    await sleep(500);
    // Meanwhile, 20 ordinary requests on other connections, on the same routes.
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2
          ? server.exchange(pat, { audience: AUDIENCE })
          : server.request('GET', '/api/v1/me', { token: pat }),
      ),
    );
    othersMs = performance.now() - started;
    others = answers.map((r) => r.status);
    stillTrickling = !slowToken.settled() && !slowApi.settled() && !slowHead.settled();
    await Promise.all([slowToken.answer, slowApi.answer, slowHead.answer]);
  }, 90_000);

  it('do not block other clients: 20 requests on other connections all succeed meanwhile', () => {
    expect(stillTrickling).toBe(true);
    expect(others).toEqual(Array(20).fill(200));
    expect(othersMs).toBeLessThan(REQUEST_TIMEOUT_MS);
  });

  it('a /token body trickled a byte every 200 ms gets 408 or a closed connection', async () => {
    expect([408, 'closed']).toContain((await slowToken.answer).status);
  });

  it('an /api/v1 body trickled a byte every 200 ms gets 408 or a closed connection', async () => {
    expect([408, 'closed']).toContain((await slowApi.answer).status);
  });

  it('a request head sent a byte every 200 ms gets 408 or a closed connection', async () => {
    expect([408, 'closed']).toContain((await slowHead.answer).status);
  });

  it('leave the server serving', async () => {
    await expectServing();
  });
});

describe('oversized request headers', () => {
  const targets = [
    {
      name: '/token',
      requestLine: 'POST /token HTTP/1.1',
      extra: [`Content-Type: ${FORM}`, 'Content-Length: 0'],
    },
    { name: '/api/v1', requestLine: 'GET /api/v1/me HTTP/1.1', extra: [] as string[] },
  ];

  it.each(targets)('$name: a single 20 KB header gets 431 or a closed connection', async (target) => {
    const answer = await rawExchange(
      server.url,
      head(target.requestLine, [
        ...target.extra,
        `Authorization: Bearer ${pat}`,
        `X-Pad: ${'a'.repeat(20 * 1024)}`,
      ]),
    );
    expect([431, 'closed']).toContain(answer.status);
    await expectServing();
  });

  it.each(targets)('$name: 2000 headers over 16 KB in all get 431 or a closed connection', async (target) => {
    const lines = manyHeaders(2000, 'value-value');
    expect(Buffer.byteLength(lines.join('\r\n'))).toBeGreaterThan(16 * 1024);
    const answer = await rawExchange(server.url, head(target.requestLine, [...target.extra, ...lines]));
    expect([431, 'closed']).toContain(answer.status);
    await expectServing();
  });

  it.each(targets)(
    '$name: 2000 tiny headers under 16 KB get an ordinary answer, never a 5xx',
    async (target) => {
      // Within the size limit, a header count alone is not an error: the request is served.
      const lines = manyHeaders(2000, '1');
      expect(Buffer.byteLength(lines.join('\r\n'))).toBeLessThan(15 * 1024);
      const answer = await rawExchange(
        server.url,
        head(target.requestLine, [...target.extra, `Authorization: Bearer ${pat}`, ...lines]),
      );
      expect(typeof answer.status === 'number' ? answer.status : 0).toBeGreaterThanOrEqual(200);
      expect(typeof answer.status === 'number' ? answer.status : 600).toBeLessThan(500);
      await expectServing();
    },
  );
});

describe('oversized bodies', () => {
  const apiBody = JSON.stringify({ name: 'x'.repeat(17 * 1024), scopes: ['repo:read'] });

  it('/api/v1 over 16 KB by Content-Length gets 413 problem+json', async () => {
    for (const path of ['/api/v1/tokens', `/api/v1/users/${userId}/tokens`, '/api/v1/credentials/revoke']) {
      const response = await server.request('POST', path, {
        token: server.adminToken,
        raw: apiBody,
        contentType: 'application/json',
      });
      expectProblem(response, 413, undefined, path);
      expect(response.body.code).toBe('body_too_large');
    }
  });

  it('/api/v1 over 16 KB chunked gets 413 problem+json', async () => {
    const big = JSON.stringify({ tokens: ['x'.repeat(200 * 1024)] });
    const response = await chunkedPost(`${server.url}/api/v1/credentials/revoke`, big, {
      'content-type': 'application/json',
    });
    expectProblem(response, 413, 'body_too_large');
  });

  /** A token exchange form padded past oidc-provider's 56 KB limit. */
  const bigForm = new URLSearchParams({
    ...EXCHANGE,
    subject_token: 'tsr_x',
    padding: 'p'.repeat(60 * 1024),
  }).toString();

  it('/token over 56 KB by Content-Length gets 413 (or 400) RFC 6749 JSON', async () => {
    for (const headers of AUTH_MODES) {
      const response = await server.request('POST', '/token', { raw: bigForm, contentType: FORM, headers });
      expect([413, 400]).toContain(response.status);
      expectOAuthError(response, '4xx');
    }
  });

  it('/token over 56 KB chunked gets 413 (or 400) RFC 6749 JSON', async () => {
    for (const auth of AUTH_MODES) {
      const response = await chunkedPost(`${server.url}/token`, `${bigForm}${'p'.repeat(200 * 1024)}`, {
        'content-type': FORM,
        ...auth,
      });
      expect([413, 400]).toContain(response.status);
      expectOAuthError(response, '4xx');
    }
    await expectServing();
  });
});

describe('parameter counts on /token', () => {
  const post = async (body: string, headers: Record<string, string> = {}) => {
    const started = performance.now();
    const response = await server.request('POST', '/token', { raw: body, contentType: FORM, headers });
    return {
      ...response,
      contentType: response.headers.get('content-type'),
      ms: performance.now() - started,
    };
  };

  // Promptly: a cost that grows with the parameter count (quadratic parsing, a statement per
  // parameter) would take far longer; the bound leaves room for a loaded 2-core box.
  const PROMPT_MS = 15_000;

  it('a form with 10,000 parameters gets a JSON answer, never a 5xx, promptly', async () => {
    const params = new URLSearchParams({ ...EXCHANGE, subject_token: pat, audience: AUDIENCE });
    const body = `${params.toString()}&${shortNames(10_000).join('&')}`;
    expect(Buffer.byteLength(body)).toBeLessThan(56 * 1024);
    for (const headers of AUTH_MODES) {
      const response = await post(body, headers);
      // Unknown parameters are ignored (RFC 6749 §3.2), so the exchange itself may succeed;
      // what matters is a deliberate answer, never a 5xx, and quickly.
      expect(response.status).toBeLessThan(500);
      expect(response.contentType).toMatch(/^application\/json/);
      expect(response.ms).toBeLessThan(PROMPT_MS);
    }
    // 10,000 of one unknown name: ignored too, or refused; never a 5xx.
    const sameName = `${new URLSearchParams({ ...EXCHANGE, subject_token: pat })}${'&x'.repeat(10_000)}`;
    const response = await post(sameName);
    expect(response.status).toBeLessThan(500);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(response.ms).toBeLessThan(PROMPT_MS);
  });

  it('a parameter the grant reads, repeated 2,000 times, gets a 4xx JSON error', async () => {
    const repeated = new URLSearchParams({ ...EXCHANGE, subject_token: pat });
    for (let i = 0; i < 2000; i++) repeated.append('scope', 'repo:read');
    for (const headers of AUTH_MODES) {
      const response = await post(repeated.toString(), headers);
      expectOAuthError(response, '4xx');
      expect(response.ms).toBeLessThan(PROMPT_MS);
    }
  });

  it('1,000 different audience values get a 4xx JSON error, promptly', async () => {
    const params = new URLSearchParams({ ...EXCHANGE, subject_token: pat });
    for (let i = 0; i < 1000; i++) params.append('audience', `https://api${i}.example.com`);
    const response = await post(params.toString());
    expectOAuthError(response, '4xx');
    expect(response.ms).toBeLessThan(PROMPT_MS);
  });

  it('1,000 repetitions of one audience get a JSON answer, never a 5xx', async () => {
    const params = new URLSearchParams({ ...EXCHANGE, subject_token: pat });
    for (let i = 0; i < 1000; i++) params.append('audience', AUDIENCE);
    const response = await post(params.toString());
    // RFC 8693 lets audience repeat; repetitions of one value name one resource.
    expect(response.status).toBeLessThan(500);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(response.ms).toBeLessThan(PROMPT_MS);
  });
});

describe('deeply nested JSON on every /api/v1 write route', () => {
  const routes = () => [
    { path: '/api/v1/tokens', token: pat },
    { path: `/api/v1/tokens/${patId}/rotate`, token: pat },
    { path: `/api/v1/tokens/${patId}/revoke`, token: pat },
    { path: `/api/v1/tokens/${patId}/restore`, token: pat },
    { path: '/api/v1/users', token: server.adminToken },
    { path: `/api/v1/users/${userId}/disable`, token: server.adminToken },
    { path: `/api/v1/users/${userId}/enable`, token: server.adminToken },
    { path: `/api/v1/users/${userId}/tokens`, token: server.adminToken },
    { path: `/api/v1/admin/tokens/${patId}/revoke`, token: server.adminToken },
    { path: '/api/v1/credentials/revoke', token: undefined },
  ];

  /** As deep as fits in 16 KB: objects, arrays, and both inside a field the route knows. */
  const bodies = (() => {
    const limit = 16 * 1024;
    const objects = Math.floor((limit - 16) / 6);
    const arrays = Math.floor((limit - 32) / 2);
    return [
      `${'{"a":'.repeat(objects)}1${'}'.repeat(objects)}`,
      `${'['.repeat(arrays)}${']'.repeat(arrays)}`,
      `{"name":${'['.repeat(arrays / 2 - 8)}${']'.repeat(arrays / 2 - 8)}}`,
      `{"tokens":[${'{"a":'.repeat(objects - 4)}1${'}'.repeat(objects - 4)}]}`,
    ];
  })();

  /** Rows a write could add: PATs, users, and lifecycle audit rows (exchanges excluded). */
  async function writes() {
    const { rows } = await server.database.db.query<{ pats: number; users: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM pats) AS pats, (SELECT count(*)::int FROM users) AS users,
              (SELECT count(*)::int FROM audit_events WHERE action <> 'token.exchanged') AS events`,
    );
    return rows[0];
  }

  it('each gets a 4xx problem+json and changes nothing', async () => {
    for (const body of bodies) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(16 * 1024);
    const before = await writes();
    for (const route of routes()) {
      for (const body of bodies) {
        const response = await server.request('POST', route.path, {
          token: route.token,
          raw: body,
          contentType: 'application/json',
        });
        expectProblem(response, '4xx', undefined, `${route.path} ${body.slice(0, 12)}`);
      }
    }
    // No route acted on its target: no row written, the PAT still active.
    expect(await writes()).toEqual(before);
    const shown = await server.request('GET', `/api/v1/tokens/${patId}`, { token: pat });
    expect(shown.status).toBe(200);
    expect(shown.body.status).toBe('active');
    await expectServing();
  }, 60_000);
});

describe('invalid UTF-8', () => {
  /** Bytes UTF-8 never uses, a lead byte without continuation, an overlong '/', a surrogate. */
  const badSequences = [
    Buffer.from([0xff, 0xfe]),
    Buffer.from([0xc3, 0x28]),
    Buffer.from([0xc0, 0xaf]),
    Buffer.from([0xed, 0xa0, 0x80]),
  ];
  const percent = (bytes: Buffer) => [...bytes].map((b) => `%${b.toString(16).toUpperCase()}`).join('');

  it('in a /token form body gets a 4xx JSON error', async () => {
    const fields = [
      'subject_token',
      'subject_token_type',
      'audience',
      'resource',
      'scope',
      'requested_token_type',
      'grant_type',
      'client_id',
    ];
    for (const bytes of [...badSequences, Buffer.from([0x00])]) {
      for (const field of fields) {
        const params = new URLSearchParams({ ...EXCHANGE, subject_token: pat, audience: AUDIENCE });
        params.delete(field);
        const prefix = `${params.toString()}&${field}=bad`;
        // Raw bytes in the body, and the same bytes percent-encoded.
        for (const body of [
          Buffer.concat([Buffer.from(prefix), bytes]),
          Buffer.from(`${prefix}${percent(bytes)}`),
        ]) {
          const response = await server.request('POST', '/token', { raw: body, contentType: FORM });
          const label = `${field} ${percent(bytes)} ${response.text.slice(0, 80)}`;
          expect({ label, status: response.status >= 400 && response.status < 500 }).toEqual({
            label,
            status: true,
          });
          expectOAuthError(response, '4xx');
        }
      }
    }
    await expectServing();
  }, 60_000);

  it('in a token request costs no exchange its audit row, its own included', async () => {
    // docs/design.md: every exchange, granted or denied, is audited. A client id the database cannot
    // store (NUL) or cannot decode must neither lose its own row nor poison the batch it shares.
    const agent = `input-limits-${Date.now()}`;
    // A PAT of this test's own, so that no earlier test's batched rows are counted.
    const own = await server.request('POST', '/api/v1/tokens', {
      token: pat,
      body: { name: 'audit probe', scopes: ['repo:read'] },
    });
    expect(own.status).toBe(201);
    const auditRows = async () => {
      const { rows } = await server.database.db.query<{ granted: number; refused: number }>(
        `SELECT count(*) FILTER (WHERE outcome = 'success' AND pat_id = $1)::int AS granted,
                count(*) FILTER (WHERE outcome = 'failure' AND user_agent = $2)::int AS refused
           FROM audit_events WHERE action = 'token.exchanged'`,
        [own.body.id, agent],
      );
      return rows[0] as { granted: number; refused: number };
    };
    const before = await auditRows();
    const exchange = new URLSearchParams({
      ...EXCHANGE,
      subject_token: own.body.token,
      audience: AUDIENCE,
    }).toString();
    const refused: { raw: string; headers: Record<string, string> }[] = [
      { raw: `${exchange}&client_id=%00`, headers: {} },
      { raw: `${exchange}&client_id=bot%00x`, headers: {} },
      { raw: exchange, headers: { authorization: basic('bot\u0000x', 'secret-secret-secret') } },
      {
        raw: exchange,
        headers: { authorization: `Basic ${Buffer.from('%ZZ:secret-secret-secret').toString('base64')}` },
      },
    ];
    const answers = await Promise.all([
      ...refused.map(({ raw, headers }) =>
        server.request('POST', '/token', {
          raw,
          contentType: FORM,
          headers: { ...headers, 'user-agent': agent },
        }),
      ),
      ...Array.from({ length: 10 }, () => server.exchange(own.body.token, { audience: AUDIENCE })),
    ]);
    expect(answers.slice(0, refused.length).map((r) => r.status >= 400 && r.status < 500)).toEqual(
      refused.map(() => true),
    );
    expect(answers.slice(refused.length).map((r) => r.status)).toEqual(Array(10).fill(200));
    // Every row these answered requests queued, written now rather than at the end of its batch.
    await server.tessera.flushAudit();
    const after = await auditRows();
    expect({ granted: after.granted - before.granted, refused: after.refused - before.refused }).toEqual({
      granted: 10,
      refused: refused.length,
    });
  });

  it('in a JSON body gets a 4xx problem+json', async () => {
    for (const bytes of badSequences) {
      for (const [path, before, after, token] of [
        ['/api/v1/tokens', '{"name":"bad', '","scopes":["repo:read"]}', pat],
        ['/api/v1/users', '{"username":"bad', '"}', server.adminToken],
        ['/api/v1/credentials/revoke', '{"tokens":["tsr_', '"]}', undefined],
        [`/api/v1/tokens/${patId}/revoke`, '{"', '":1}', pat],
      ] as const) {
        const raw = Buffer.concat([Buffer.from(before), bytes, Buffer.from(after)]);
        const response = await server.request('POST', path, { token, raw, contentType: 'application/json' });
        expectProblem(response, '4xx', undefined, `${path} ${percent(bytes)}`);
      }
    }
  });
});

describe('after all of that', () => {
  it('the same server instance is healthy and serving', async () => {
    expect((await server.request('GET', '/healthz')).status).toBe(200);
    expect((await server.request('GET', '/readyz')).status).toBe(200);
    await expectServing();
    // Same app: its request counter has kept counting since the file started.
    expect(await requestCount()).toBeGreaterThan(requestsAtStart + 100);
    expect(server.tessera.server.listening).toBe(true);
    expect(server.logs.filter((line) => line.includes('"msg":"tessera ready at'))).toHaveLength(1);
    // No request ended in an unhandled error (what a 500 would log).
    expect(server.logs.filter((line) => line.includes('"unhandled error"'))).toEqual([]);
  });
});
