import { describe, expect, it } from '@jest/globals';
import { ApiProblem } from '../../../src/errors.js';
import { assertRestorable, REVOCATION_KINDS, restoreRefusal } from '../../../src/pat/revocation.js';

describe('restoreRefusal', () => {
  it("the owner's own revocation: anyone who reaches the token may undo it", () => {
    expect(restoreRefusal('owner', { admin: false })).toBeNull();
    expect(restoreRefusal('owner', { admin: true })).toBeNull();
  });

  it("an administrator's revocation: only an administrator", () => {
    expect(restoreRefusal('admin', { admin: false })).toEqual(expect.any(String));
    expect(restoreRefusal('admin', { admin: true })).toBeNull();
  });

  it('leak, inactivity, rotation and user deletion: nobody', () => {
    for (const kind of ['leak', 'inactivity', 'rotation', 'user_deleted'] as const) {
      expect(restoreRefusal(kind, { admin: true })).toEqual(expect.any(String));
      expect(restoreRefusal(kind, { admin: false })).toEqual(expect.any(String));
    }
  });

  it('names every kind the database accepts', () => {
    expect([...REVOCATION_KINDS].sort()).toEqual([
      'admin',
      'inactivity',
      'leak',
      'owner',
      'rotation',
      'user_deleted',
    ]);
  });
});

describe('assertRestorable', () => {
  const codeOf = (run: () => void) => {
    try {
      run();
      return null;
    } catch (error) {
      return error instanceof ApiProblem ? `${error.status} ${error.code}` : 'not-a-problem';
    }
  };

  it('is 409 revocation_final when refused; an admin credential or the system counts as admin', () => {
    expect(codeOf(() => assertRestorable('admin', ['tessera:tokens']))).toBe('409 revocation_final');
    expect(codeOf(() => assertRestorable('admin', ['tessera:tokens', 'tessera:admin']))).toBeNull();
    expect(codeOf(() => assertRestorable('admin', null))).toBeNull();
    expect(codeOf(() => assertRestorable('leak', null))).toBe('409 revocation_final');
  });
});
