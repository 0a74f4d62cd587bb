import { describe, expect, it } from '@jest/globals';
import { BUILTIN_SCOPES, DEFAULT_SCOPE_CATALOGUE } from '../../../src/scopes.js';
import { groupsOf, mapEntitlements, usernameFrom } from '../../../src/session/sso-mapping.js';

const catalogue = { ...DEFAULT_SCOPE_CATALOGUE, ...BUILTIN_SCOPES };
const mapping = {
  groupsClaim: 'groups',
  defaultEntitlements: ['tessera:tokens'],
  groupEntitlements: { platform: ['repo:read', 'repo:write'], readers: ['repo:read'] },
  adminGroups: ['tessera-admins'],
};

describe('SSO entitlement mapping', () => {
  it('gives the defaults to someone in no mapped group', () => {
    expect(mapEntitlements({ sub: 'a' }, mapping, catalogue)).toEqual(['tessera:tokens']);
  });
  it('adds each mapped group scopes once, in catalogue order', () => {
    expect(mapEntitlements({ groups: ['readers', 'platform', 'other'] }, mapping, catalogue)).toEqual([
      'repo:read',
      'repo:write',
      'tessera:tokens',
    ]);
  });
  it('makes members of an admin group administrators', () => {
    expect(mapEntitlements({ groups: ['tessera-admins'] }, mapping, catalogue)).toEqual([
      'tessera:tokens',
      'tessera:admin',
    ]);
  });
  it('does not let a group name that looks like a scope grant it', () => {
    expect(mapEntitlements({ groups: ['tessera:admin', 'repo:admin'] }, mapping, catalogue)).toEqual([
      'tessera:tokens',
    ]);
  });
  it('maps groups named like Object.prototype members to nothing, not a crash', () => {
    const groups = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
    expect(mapEntitlements({ groups }, mapping, catalogue)).toEqual(['tessera:tokens']);
    expect(mapEntitlements({ groups: ['constructor', 'platform'] }, mapping, catalogue)).toEqual([
      'repo:read',
      'repo:write',
      'tessera:tokens',
    ]);
  });
  it('drops scopes the catalogue no longer has', () => {
    expect(
      mapEntitlements({ groups: ['platform'] }, mapping, { 'tessera:tokens': 'x', 'repo:read': 'y' }),
    ).toEqual(['tessera:tokens', 'repo:read']);
  });
  it('reads the groups claim as a list or a space-separated string, and ignores other shapes', () => {
    expect(groupsOf({ groups: ['a', 3, 'b'] }, 'groups')).toEqual(['a', 'b']);
    expect(groupsOf({ groups: 'a  b' }, 'groups')).toEqual(['a', 'b']);
    expect(groupsOf({ groups: { a: true } }, 'groups')).toEqual([]);
    expect(groupsOf({ roles: ['x'] }, 'roles')).toEqual(['x']);
  });
});

describe('SSO usernames', () => {
  it('uses the configured claim, then email, then sub', () => {
    expect(usernameFrom({ preferred_username: 'ada', email: 'x@y', sub: 's' }, 'preferred_username')).toBe(
      'ada',
    );
    expect(usernameFrom({ email: 'ada@example.com', sub: 's' }, 'preferred_username')).toBe(
      'ada-example.com',
    );
    expect(usernameFrom({ sub: '1234' }, 'preferred_username')).toBe('1234');
  });
  it('keeps only characters usernames allow', () => {
    expect(usernameFrom({ preferred_username: '<script>Ada Lovelace' }, 'preferred_username')).toBe(
      'script-Ada-Lovelace',
    );
    expect(usernameFrom({ preferred_username: '   ' }, 'preferred_username')).toBe('user');
  });
});
