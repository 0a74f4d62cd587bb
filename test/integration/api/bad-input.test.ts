import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectProblem } from '../../helpers/problems.js';
import { chunkedPost, rawExchange } from '../../helpers/raw-socket.js';
import { type ApiResponse, startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
/** A PAT of the admin's own, for the per-token write route. */
let ownPatId: string;
beforeAll(async () => {
  server = await startTestServer();
  const created = await server.request('POST', '/api/v1/tokens', {
    token: server.adminToken,
    body: { name: 'bad-input target', scopes: ['repo:read'] },
  });
  if (created.status !== 201) throw new Error(`setup failed: ${created.text}`);
  ownPatId = created.body.id;
});
afterAll(() => server.stop());

interface WriteRoute {
  name: string;
  path: () => string;
  token: () => string | undefined;
  /** A body with one unknown field, and the field's name. */
  unknownField: { body: Record<string, unknown>; field: string };
  /** A body with fields of the wrong type, and their names. */
  wrongTypes?: { body: Record<string, unknown>; fields: string[] };
  /** The JSON text before and after a string's content in an otherwise acceptable body. */
  stringAt: [string, string];
}

const writeRoutes: WriteRoute[] = [
  {
    name: 'POST /api/v1/tokens',
    path: () => '/api/v1/tokens',
    token: () => server.adminToken,
    unknownField: { body: { name: 'x', scopes: ['repo:read'], owner: 'someone' }, field: 'owner' },
    wrongTypes: {
      body: { name: 5, scopes: 'repo:read', expires_in_days: '30' },
      fields: ['name', 'scopes', 'expires_in_days'],
    },
    stringAt: ['{"name":"laptop ', '","scopes":["repo:read"]}'],
  },
  {
    name: 'POST /api/v1/users',
    path: () => '/api/v1/users',
    token: () => server.adminToken,
    unknownField: { body: { username: uniqueName('unknown'), password: 'hunter2' }, field: 'password' },
    wrongTypes: {
      body: { username: 42, admin: 'yes', entitlements: 'repo:read' },
      fields: ['username', 'admin', 'entitlements'],
    },
    stringAt: ['{"username":"', '"}'],
  },
  {
    name: 'POST /api/v1/credentials/revoke',
    path: () => '/api/v1/credentials/revoke',
    token: () => undefined,
    unknownField: { body: { tokens: ['tsr_x'], source: 'scanner' }, field: 'source' },
    wrongTypes: { body: { tokens: 'tsr_x' }, fields: ['tokens'] },
    stringAt: ['{"tokens":["tsr_', '"]}'],
  },
  {
    name: 'POST /api/v1/tokens/{id}/revoke',
    path: () => `/api/v1/tokens/${ownPatId}/revoke`,
    token: () => server.adminToken,
    unknownField: { body: { reason: 'because' }, field: 'reason' },
    stringAt: ['{"', '":1}'],
  },
];

/** Asserts some 4xx problem, whichever one fits; the input rides along to name a failure. */
const expectClientProblem = (response: ApiResponse, input?: string | Buffer) =>
  expectProblem(response, '4xx', undefined, input);

const fieldsOf = (response: ApiResponse): string[] =>
  (response.body.errors ?? []).map((e: { field: string }) => e.field);

const send = (route: WriteRoute, raw: string | Buffer, contentType?: string) =>
  server.request('POST', route.path(), { token: route.token(), raw, contentType });

describe.each(writeRoutes)('$name', (route) => {
  it('answers malformed JSON with 400 invalid_json', async () => {
    for (const raw of ['{"name":', '{name: "x"}', "{'a': 1}", '{"a": 1,}', '{"a": 1} trailing', '\u00ff']) {
      expectProblem(await send(route, raw, 'application/json'), 400, 'invalid_json', raw);
    }
  });

  it('answers a JSON body that is not an object with 400', async () => {
    for (const raw of ['[]', '[{"name": "x"}]', '"hello"', '42', 'null', 'true']) {
      expectProblem(await send(route, raw, 'application/json'), 400, undefined, raw);
    }
  });

  it('answers a body of another content type with 415', async () => {
    expectProblem(await send(route, '{"name": "x"}', 'text/plain'), 415, 'unsupported_media_type');
    expectProblem(await send(route, 'name=x', 'application/x-www-form-urlencoded'), 415);
    expectProblem(await send(route, '<name>x</name>', 'application/xml'), 415);
    expectProblem(await send(route, Buffer.from('{"name": "x"}')), 415);
  });

  it('answers a body over 16 KB with 413', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(17 * 1024), scopes: ['repo:read'] });
    expectProblem(await send(route, big, 'application/json'), 413, 'body_too_large');
  });

  it('answers a chunked body over 16 KB (no Content-Length) with 413', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(64 * 1024), scopes: ['repo:read'] });
    expectProblem(await chunkedJson(route.path(), big, route.token(), false), 413, 'body_too_large');
  });

  it('answers an unknown field with 400 naming it', async () => {
    const response = await server.request('POST', route.path(), {
      token: route.token(),
      body: route.unknownField.body,
    });
    expectProblem(response, 400, 'invalid_request');
    expect(fieldsOf(response)).toContain(route.unknownField.field);
  });

  if (route.wrongTypes) {
    const { body, fields } = route.wrongTypes;
    it('answers fields of the wrong type with 400 naming each', async () => {
      const response = await server.request('POST', route.path(), { token: route.token(), body });
      expectProblem(response, 400, 'invalid_request');
      expect(fieldsOf(response)).toEqual(expect.arrayContaining(fields));
    });
  }

  it('answers deeply nested JSON within the size limit with a 4xx', async () => {
    const nestedObjects = `${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}`;
    const nestedArrays = `{"name":${'['.repeat(5000)}${']'.repeat(5000)},"tokens":${'['.repeat(2000)}${']'.repeat(2000)}}`;
    for (const raw of [nestedObjects, nestedArrays]) {
      expect(Buffer.byteLength(raw)).toBeLessThan(16 * 1024);
      expectClientProblem(await send(route, raw, 'application/json'), raw);
    }
  });

  it('answers invalid UTF-8 inside a JSON string with a 4xx', async () => {
    const [before, after] = route.stringAt;
    // Bytes UTF-8 never uses, a lead byte without its continuation, an overlong '/', a surrogate.
    for (const bytes of [
      [0xff, 0xfe],
      [0xc3, 0x28],
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
    ]) {
      const raw = Buffer.concat([Buffer.from(`${before}bad`), Buffer.from(bytes), Buffer.from(after)]);
      expectClientProblem(await send(route, raw, 'application/json'), raw);
    }
  });
});

describe('a connection after an oversized streamed body', () => {
  it('still answers the next request the client sends on it', async () => {
    // Keep-alive clients (fetch, the CLI) reuse the connection a 413 came back on, so the
    // server must either read past the rest of the body or close the connection. The route
    // reads the body before any database work, and the body is far past the socket buffers,
    // so the server answers while most of the body is still unread.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = JSON.stringify({ tokens: ['x'.repeat(256 * 1024)] });
      const rejected = await chunkedJson('/api/v1/credentials/revoke', big, undefined, agent);
      expect(rejected.status).toBe(413);
      const next = await chunkedJson('/api/v1/credentials/revoke', '{"tokens":["tsr_x"]}', undefined, agent);
      expect(next.status).toBe(202);
    } finally {
      agent.destroy();
    }
  });
});

describe('strings the database cannot store', () => {
  it('answers a NUL character in a JSON string with a 4xx, not a 500', async () => {
    const response = await server.request('POST', '/api/v1/tokens', {
      token: server.adminToken,
      body: { name: 'nul\u0000name', scopes: ['repo:read'] },
    });
    expectClientProblem(response);
  });

  it('answers a NUL character in a query parameter with a 4xx or an empty result, not a 500', async () => {
    const response = await server.request('GET', '/api/v1/admin/tokens?user=nul%00user', {
      token: server.adminToken,
    });
    expect(response.status).toBeLessThan(500);
    if (response.status >= 400) expectClientProblem(response);
    else expect(response.body.items).toEqual([]);
  });

  it('answers a lone UTF-16 surrogate escape without a 5xx', async () => {
    const response = await server.request('POST', '/api/v1/tokens', {
      token: server.adminToken,
      raw: '{"name":"half \\ud800 pair","scopes":["repo:read"]}',
      contentType: 'application/json',
    });
    expect(response.status).toBeLessThan(500);
    if (response.status >= 400) expectClientProblem(response);
  });
});

describe('rejected creates', () => {
  async function counts() {
    const { rows } = await server.database.db.query<{ pats: number; users: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM pats) AS pats, (SELECT count(*)::int FROM users) AS users,
              (SELECT count(*)::int FROM audit_events) AS events`,
    );
    return rows[0];
  }

  it('write no row at all', async () => {
    const before = await counts();
    const token = server.adminToken;
    const rejected: [string, string | Buffer, string | undefined][] = [
      ['/api/v1/tokens', '{"name":', 'application/json'],
      ['/api/v1/tokens', '[{"name":"x","scopes":["repo:read"]}]', 'application/json'],
      ['/api/v1/tokens', '{"name":"x","scopes":["repo:read"]}', 'text/plain'],
      [
        '/api/v1/tokens',
        JSON.stringify({ name: 'x'.repeat(20_000), scopes: ['repo:read'] }),
        'application/json',
      ],
      ['/api/v1/tokens', '{"name":"x","scopes":["repo:read"],"admin":true}', 'application/json'],
      ['/api/v1/tokens', '{"name":"x","scopes":["repo:read"],"expires_in_days":"9"}', 'application/json'],
      ['/api/v1/tokens', '{"name":"x","scopes":["no:such-scope"]}', 'application/json'],
      ['/api/v1/tokens', '{"name":"x","scopes":["repo:read"],"expires_in_days":-1}', 'application/json'],
      ['/api/v1/tokens', '{"name":"nul\\u0000","scopes":["repo:read"]}', 'application/json'],
      ['/api/v1/users', '{"username":"ok-name","role":"root"}', 'application/json'],
      ['/api/v1/users', '{"username":"has space"}', 'application/json'],
      ['/api/v1/users', '{"username":"ok-name","admin":"true"}', 'application/json'],
      [
        `/api/v1/users/${server.adminId}/tokens`,
        '{"name":"x","scopes":["repo:read"],"x":1}',
        'application/json',
      ],
      [`/api/v1/users/${server.adminId}/tokens`, '{"name":"","scopes":["repo:read"]}', 'application/json'],
    ];
    for (const [path, raw, contentType] of rejected) {
      const response = await server.request('POST', path, { token, raw, contentType });
      const input = `${path} ${String(raw).slice(0, 60)}`;
      expect({ input, rejected: response.status >= 400 }).toEqual({ input, rejected: true });
    }
    expect(await counts()).toEqual(before);
  });
});

describe('routing errors under /api/v1', () => {
  it('answers an unknown path with 404 problem+json', async () => {
    expectProblem(
      await server.request('GET', '/api/v1/nope', { token: server.adminToken }),
      404,
      'not_found',
    );
    expectProblem(
      await server.request('POST', '/api/v1/nope', { token: server.adminToken, body: {} }),
      404,
      'not_found',
    );
    expectProblem(
      await server.request('GET', '/api/v1/tokens/not-a-uuid', { token: server.adminToken }),
      404,
    );
  });

  it('takes a dot segment that reaches it unresolved as an id, not as a way to another route', async () => {
    const owned = async () =>
      (await server.request('GET', '/api/v1/tokens?limit=100', { token: server.adminToken })).body.items
        .length;
    const before = await owned();
    // Resolved, this path would be POST /api/v1/tokens and mint the admin a PAT.
    const response = await server.request('POST', '/api/v1/users/../tokens', {
      token: server.adminToken,
      body: { name: 'dot segment', scopes: ['repo:read'] },
      verbatimPath: true,
    });
    expectProblem(response, 404);
    expect(await owned()).toBe(before);
  });

  it('answers an unsupported method with 405 problem+json and an Allow header', async () => {
    const response = await server.request('PUT', '/api/v1/tokens', {
      token: server.adminToken,
      body: { name: 'x', scopes: ['repo:read'] },
    });
    expectProblem(response, 405, 'method_not_allowed');
    expect(response.headers.get('allow')).toMatch(/POST/);
    expectProblem(
      await server.request('PATCH', '/api/v1/users', { token: server.adminToken, body: {} }),
      405,
    );
  });
});

describe('oversized request headers', () => {
  it('answers a header block over 16 KB with 431 or by closing, and keeps serving', async () => {
    const head = [
      'GET /api/v1/me HTTP/1.1',
      'Host: 127.0.0.1',
      `Authorization: Bearer ${server.adminToken}`,
      `X-Padding: ${'a'.repeat(20 * 1024)}`,
      'Connection: close',
      '',
      '',
    ].join('\r\n');
    const answer = (await rawExchange(server.url, head)).text;
    if (answer !== '') expect(answer).toMatch(/^HTTP\/1\.1 431 /);

    expect((await server.request('GET', '/healthz')).status).toBe(200);
    expect((await server.request('GET', '/api/v1/me', { token: server.adminToken })).status).toBe(200);
  });

  it('answers many headers adding up to over 16 KB the same way', async () => {
    const response = await new Promise<number | 'closed'>((resolve) => {
      const headers: Record<string, string> = { authorization: `Bearer ${server.adminToken}` };
      for (let i = 0; i < 40; i++) headers[`x-pad-${i}`] = 'b'.repeat(512);
      const req = httpRequest(`${server.url}/api/v1/me`, { headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve('closed'));
      req.end();
    });
    if (response !== 'closed') expect(response).toBe(431);
    expect((await server.request('GET', '/healthz')).status).toBe(200);
  });
});

/** A JSON POST to `path` whose body is sent chunked, so no Content-Length announces its size. */
const chunkedJson = (path: string, body: string, token: string | undefined, agent: Agent | false) =>
  chunkedPost(
    `${server.url}${path}`,
    body,
    { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    agent,
  );
