import { describe, expect, it } from '@jest/globals';
import { expiresInDaysOf, expiryChoices } from '../../../src/console/expiry-choices.js';
import { safeReturnTo } from '../../../src/console/return-to.js';
import { relativeTime } from '../../../src/console/views/time.js';

const policy = {
  prefix: 'tsr',
  defaultLifetimeDays: 90,
  maxLifetimeDays: 365,
  allowNoExpiry: false,
  lastUsedIntervalSeconds: 60,
  revokeAfterInactiveDays: null,
};

describe('return_to after sign-in', () => {
  it('keeps a console path with its query', () => {
    expect(safeReturnTo('/console/tokens?status=revoked')).toBe('/console/tokens?status=revoked');
  });
  it.each([
    'https://evil.example',
    '//evil.example/console',
    '/\\evil.example',
    '/console\\@evil.example',
    '/console/../api/v1/me',
    'javascript:alert(1)',
    '/api/v1/me',
    '/console\u0000x',
    `/console/${'a'.repeat(600)}`,
    42,
    undefined,
  ])('sends %p to the token list instead', (value) => {
    expect(safeReturnTo(value)).toBe('/console/tokens');
  });
});

describe('expiration choices', () => {
  it('offers presets up to the maximum, the default selected, no "never" unless allowed', () => {
    const choices = expiryChoices({ ...policy, maxLifetimeDays: 60, defaultLifetimeDays: 45 });
    expect(choices.map((c) => c.value)).toEqual(['7', '30', '45', '60']);
    expect(choices.find((c) => c.selected)?.label).toBe('45 days (default)');
    expect(expiryChoices({ ...policy, allowNoExpiry: true }).at(-1)).toMatchObject({ value: 'never' });
  });
  it('keeps the choice made when the form comes back with an error', () => {
    expect(expiryChoices(policy, '30').find((c) => c.selected)?.value).toBe('30');
  });
  it('maps the form value to the service request', () => {
    expect(expiresInDaysOf(undefined)).toBeUndefined();
    expect(expiresInDaysOf('never')).toBeNull();
    expect(expiresInDaysOf('30')).toBe(30);
  });
});

describe('relative times', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  it('reads as people say it', () => {
    expect(relativeTime(new Date('2026-11-28T10:00:00Z'), now)).toBe('2 hours ago');
    expect(relativeTime(new Date('2026-12-28T12:00:00Z'), now)).toBe('in 1 month');
    expect(relativeTime(new Date('2026-11-28T11:59:30Z'), now)).toBe('just now');
  });
});
