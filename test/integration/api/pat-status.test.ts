import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PAT_STATUSES, patStatus, patStatusSql } from '../../../src/pat/status.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
});
afterAll(() => database.dispose());

const now = new Date('2026-12-05T12:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const CASES = [
  { revoked_at: null, expires_at: null },
  { revoked_at: null, expires_at: at(1) },
  { revoked_at: null, expires_at: now },
  { revoked_at: null, expires_at: at(-1) },
  { revoked_at: at(-1), expires_at: null },
  { revoked_at: at(-1), expires_at: at(1) },
  { revoked_at: at(-1), expires_at: at(-1) },
];

describe('a PAT status: the SQL fragment and the TypeScript predicate are one rule', () => {
  it('agree on every combination of revoked and expiry, at the expiry instant too', async () => {
    for (const pat of CASES) {
      for (const alias of [undefined, 'p']) {
        const table = alias ? 'AS p(revoked_at, expires_at)' : 'AS pats(revoked_at, expires_at)';
        const columns = PAT_STATUSES.map((s) => `${patStatusSql(s, '$3::timestamptz', alias)} AS "${s}"`);
        const { rows } = await database.db.query<Record<string, boolean>>(
          `SELECT ${columns.join(', ')} FROM (VALUES ($1::timestamptz, $2::timestamptz)) ${table}`,
          [pat.revoked_at, pat.expires_at, now],
        );
        const inSql = PAT_STATUSES.filter((s) => rows[0]?.[s]);
        expect({ pat, statuses: inSql }).toEqual({ pat, statuses: [patStatus(pat, now)] });
      }
    }
  });
});
