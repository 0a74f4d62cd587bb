/**
 * Input the API's schemas let through but PostgreSQL refuses as data (SQLSTATE class 22, e.g.
 * 22008 "date/time field value out of range" for a cursor at year 0) is the caller's mistake:
 * 400 problem+json, never a 500, and nothing logged as an error.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { databaseInputProblem } from '../../../src/api/http.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const cursorAt = (t: string) =>
  Buffer.from(JSON.stringify({ t, id: '00000000-0000-4000-8000-000000000000' })).toString('base64url');

describe('a cursor the database cannot hold', () => {
  for (const t of ['0000-01-01T00:00:00.000Z', '0000-12-31T23:59:59.999Z']) {
    for (const path of ['/api/v1/tokens', '/api/v1/users', '/api/v1/admin/tokens']) {
      it(`${path}?cursor=<${t}> is 400 problem+json`, async () => {
        const from = server.logs.length;
        const answer = await server.request('GET', `${path}?cursor=${cursorAt(t)}`, {
          token: server.adminToken,
        });
        expect(answer.status).toBe(400);
        expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(answer.body).toMatchObject({ status: 400, code: 'invalid_request' });
        expect(server.logs.slice(from).filter((line) => /"level":(50|60)\b/.test(line))).toEqual([]);
      });
    }
  }
});

/** A trail cursor (`<ms>.<id>`) at an instant JavaScript can name but PostgreSQL cannot store as sent. */
const trailCursorAt = (ms: number) => Buffer.from(`${ms}.1`).toString('base64url');

describe('a trail cursor beyond year 9999 (SQLSTATE 22009 on PGlite)', () => {
  const farFuture = [Date.UTC(10000, 0, 1), 8_640_000_000_000_000 - 1, 999_999_999_999_999];

  it('is 400 problem+json on the token, admin-token and trust-policy trails', async () => {
    const me = await server.request('GET', '/api/v1/tokens', { token: server.adminToken });
    const patId = me.body.items[0].id as string;
    const user = await server.createUserWithToken(`trail-${process.pid}`, ['tessera:tokens']);
    const policy = await server.request('POST', '/api/v1/admin/trust-policies', {
      token: server.adminToken,
      body: {
        name: `trail-${process.pid}`,
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:acme/api:ref:refs/heads/main',
        user_id: user.user.id,
        scopes: ['tessera:tokens'],
        audiences: [`${server.url}/api`],
      },
    });
    expect(policy.status).toBe(201);
    const trails = [
      `/api/v1/tokens/${patId}/events`,
      `/api/v1/admin/tokens/${patId}/events`,
      `/api/v1/admin/trust-policies/${policy.body.id}/events`,
    ];
    for (const path of trails) {
      for (const ms of farFuture) {
        const from = server.logs.length;
        const answer = await server.request('GET', `${path}?cursor=${trailCursorAt(ms)}`, {
          token: server.adminToken,
        });
        expect({ path, ms, status: answer.status }).toEqual({ path, ms, status: 400 });
        expect(answer.body).toMatchObject({ status: 400, code: 'invalid_request' });
        expect(server.logs.slice(from).filter((line) => /"level":(50|60)\b/.test(line))).toEqual([]);
      }
    }
  });
});

describe('data exceptions raised by the database itself', () => {
  /** The error the database raises for `sql`, with its SQLSTATE. */
  async function errorOf(sql: string, params: unknown[]): Promise<unknown> {
    try {
      await server.database.db.query(sql, params);
    } catch (error) {
      return error;
    }
    throw new Error(`${sql} did not fail`);
  }

  it('class 22 (out of range, bad text representation, NUL) becomes a 400 invalid_request', async () => {
    for (const [sql, params, sqlstate] of [
      ["SELECT make_timestamptz(0, 1, 1, 0, 0, 0, 'UTC')", [], '22008'],
      ['SELECT $1::int', ['99999999999'], '22003'],
      ['SELECT $1::uuid', ['not-a-uuid'], '22P02'],
    ] as const) {
      const error = await errorOf(sql, [...params]);
      expect((error as { code?: string }).code).toBe(sqlstate);
      expect(databaseInputProblem(error)).toMatchObject({ status: 400, code: 'invalid_request' });
    }
  });

  it('other errors are not the caller input', async () => {
    const error = await errorOf('SELECT * FROM no_such_table', []);
    expect(databaseInputProblem(error)).toBeNull();
    // Class 22 too, when no request value can cause it: a bug of ours, a logged 500.
    for (const [sql, sqlstate] of [
      ['SELECT 1 / 0', '22012'],
      ['SELECT sqrt(-1)', '2201F'],
    ] as const) {
      const bug = await errorOf(sql, []);
      expect((bug as { code?: string }).code).toBe(sqlstate);
      expect(databaseInputProblem(bug)).toBeNull();
    }
    expect(databaseInputProblem(new Error('plain'))).toBeNull();
  });
});
