/**
 * The session secret (the cookie's value) and the CSRF token derived from it. Only the secret's
 * SHA-256 is stored, so a copy of the database cannot be replayed as a cookie (as for PATs). The
 * CSRF token is an HMAC of the secret: nothing more to store, and it cannot be computed without
 * the HttpOnly cookie a cross-site page never sees.
 */
import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url (43 characters). */
export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSessionSecret(secret: string): Buffer {
  return hash('sha256', secret, 'buffer');
}

/** Only values this module could have issued reach the database. */
export function isWellFormedSecret(value: string | undefined): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
}

export function csrfTokenFor(secret: string): string {
  return createHmac('sha256', secret).update('tessera console csrf').digest('base64url');
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
export function csrfTokenMatches(secret: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(secret));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
