/**
 * A value PostgreSQL refuses as data is the caller's input on the console too: a 400 page, not
 * a logged 500. The console and `/api/v1` word it from one table (src/http/database-errors.ts);
 * the console's own copy once knew 2 of the API's 7 SQLSTATEs. The errors here are the ones the
 * database itself raises, not imitations.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { databaseInputProblem } from '../../../src/api/http.js';
import { databasePageProblem } from '../../../src/console/router.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

async function errorOf(sql: string, params: unknown[]): Promise<unknown> {
  try {
    await server.database.db.query(sql, params);
  } catch (error) {
    return error;
  }
  throw new Error(`${sql} did not fail`);
}

const refusedAsData: Array<[string, unknown[], string]> = [
  ["SELECT make_timestamptz(0, 1, 1, 0, 0, 0, 'UTC')", [], '22008'],
  ['SELECT $1::int', ['99999999999'], '22003'],
  ['SELECT $1::uuid', ['not-a-uuid'], '22P02'],
  ['SELECT $1::inet', ['10.0.0.300'], '22P02'],
  ['SELECT $1::timestamptz', ['not a date'], '22007'],
  ["SELECT convert_from('\\xff'::bytea, 'UTF8')", [], '22021'],
];

describe('the console and the API answer the database alike', () => {
  it.each(refusedAsData)('%s: a 400 page and a 400 problem', async (sql, params, sqlstate) => {
    const error = await errorOf(sql, params);
    expect((error as { code?: string }).code).toBe(sqlstate);
    expect(databasePageProblem(error)).toMatchObject({
      status: 400,
      code: 'invalid_request',
      title: 'Invalid input',
    });
    expect(databaseInputProblem(error)).toMatchObject({ status: 400, code: 'invalid_request' });
  });

  it('a fault of ours stays a 500 on both doors', async () => {
    for (const sql of ['SELECT 1 / 0', 'SELECT * FROM no_such_table']) {
      const error = await errorOf(sql, []);
      expect(databasePageProblem(error)).toBeNull();
      expect(databaseInputProblem(error)).toBeNull();
    }
  });
});
