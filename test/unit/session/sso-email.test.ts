import { describe, expect, it } from '@jest/globals';
import { verifiedEmailOf } from '../../../src/session/sso-mapping.js';

describe('verifiedEmailOf', () => {
  it('takes the email claim unless email_verified is false', () => {
    expect(verifiedEmailOf({ email: 'a@example.test' })).toBe('a@example.test');
    expect(verifiedEmailOf({ email: 'a@example.test', email_verified: true })).toBe('a@example.test');
    expect(verifiedEmailOf({ email: 'a@example.test', email_verified: false })).toBeNull();
    expect(verifiedEmailOf({})).toBeNull();
  });

  it('abuse: an IdP value that is not one address (a header injection, a list) is refused', () => {
    expect(verifiedEmailOf({ email: 'a@example.test\r\nBcc: all@example.test' })).toBeNull();
    expect(verifiedEmailOf({ email: 'a@example.test, b@example.test' })).toBeNull();
    expect(verifiedEmailOf({ email: ['a@example.test'] })).toBeNull();
  });
});
