import { describe, expect, it } from '@jest/globals';
import {
  csrfTokenFor,
  csrfTokenMatches,
  hashSessionSecret,
  isWellFormedSecret,
  newSessionSecret,
} from '../../../src/session/secret.js';

describe('session secrets and CSRF tokens', () => {
  it('makes a new 256-bit secret each time, stored only as its SHA-256', () => {
    const a = newSessionSecret();
    expect(isWellFormedSecret(a)).toBe(true);
    expect(a).not.toBe(newSessionSecret());
    expect(hashSessionSecret(a)).toHaveLength(32);
    expect(hashSessionSecret(a).toString('base64url')).not.toContain(a);
  });
  it('refuses cookie values it could not have issued', () => {
    expect(isWellFormedSecret(undefined)).toBe(false);
    expect(isWellFormedSecret('short')).toBe(false);
    expect(isWellFormedSecret(`${newSessionSecret().slice(1)}'`)).toBe(false);
  });
  it('accepts the CSRF token of this session only', () => {
    const secret = newSessionSecret();
    expect(csrfTokenMatches(secret, csrfTokenFor(secret))).toBe(true);
    expect(csrfTokenMatches(secret, csrfTokenFor(newSessionSecret()))).toBe(false);
    expect(csrfTokenMatches(secret, '')).toBe(false);
    expect(csrfTokenMatches(secret, undefined)).toBe(false);
    expect(csrfTokenMatches(secret, ['x'])).toBe(false);
  });
});
