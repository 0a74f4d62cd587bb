import { describe, expect, it } from '@jest/globals';
import { DatabaseConnectError, describeDatabaseUrl } from '../../../src/db/connect-error.js';

describe('describeDatabaseUrl', () => {
  it('keeps scheme, user, host, port and database; drops the password and the query', () => {
    expect(describeDatabaseUrl('postgres://app:s3cr%40t@db.internal:6432/tessera?sslmode=require')).toBe(
      'postgres://app@db.internal:6432/tessera',
    );
    expect(describeDatabaseUrl('postgresql://db/tessera')).toBe('postgresql://db/tessera');
  });

  it('says nothing of an unparsable URL, which may be a password typed in the wrong place', () => {
    expect(describeDatabaseUrl('s3cret')).toBe('an unparsable URL');
  });
});

describe('DatabaseConnectError', () => {
  it('masks the password wherever a driver message repeats it', () => {
    const cause = Object.assign(new Error('role "app" with password "p@ss" refused'), { code: '28P01' });
    const error = new DatabaseConnectError('postgres://app:p%40ss@db:5432/t', cause);
    expect(error.message).toBe(
      'cannot connect to the database at postgres://app@db:5432/t (DATABASE_URL): role "app" with password "***" refused (28P01)',
    );
  });
});
