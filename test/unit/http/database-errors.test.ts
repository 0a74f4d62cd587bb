/** The one database-error table (src/http/database-errors.ts) both doors word their answers from. */
import { describe, expect, it } from '@jest/globals';
import { databaseRefusal } from '../../../src/http/database-errors.js';

const withCode = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });

describe('databaseRefusal', () => {
  it.each([
    ['22021', 'unstorable_text'],
    ['22P05', 'unstorable_text'],
    ['22001', 'out_of_range'],
    ['22003', 'out_of_range'],
    ['22007', 'out_of_range'],
    ['22008', 'out_of_range'],
    ['22P02', 'out_of_range'],
  ])('SQLSTATE %s is the caller input: %s', (code, refusal) =>
    expect(databaseRefusal(withCode(code))).toBe(refusal),
  );

  it.each(['57P01', '08006', 'ECONNREFUSED'])('%s: the database is unavailable', (code) =>
    expect(databaseRefusal(withCode(code))).toBe('unavailable'),
  );

  it('the rest of class 22, other SQLSTATEs and plain errors are faults of ours', () => {
    for (const code of ['22012', '2201F', '22004', '23505', '42P01', 'constructor', '__proto__', 'toString'])
      expect(databaseRefusal(withCode(code))).toBeNull();
    expect(databaseRefusal(new Error('plain'))).toBeNull();
    expect(databaseRefusal(null)).toBeNull();
    expect(databaseRefusal({ code: 22021 })).toBeNull();
  });
});
