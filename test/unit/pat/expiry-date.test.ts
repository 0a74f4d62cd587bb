import { describe, expect, it } from '@jest/globals';
import { expiryDateRange, expiryOnDate } from '../../../src/pat/policy.js';

const policy = { maxLifetimeDays: 365 };
const now = new Date('2026-12-05T18:00:00Z');

describe('an exact expiry date', () => {
  it('ranges from today to the last day that ends within the maximum lifetime', () => {
    expect(expiryDateRange(policy, now)).toEqual({ earliest: '2026-12-05', latest: '2027-12-04' });
    const latest = expiryOnDate(policy, '2027-12-04', now);
    expect(latest.getTime() - now.getTime()).toBeLessThanOrEqual(365 * 86_400_000);
  });

  it('expires at the end of the chosen day (UTC)', () => {
    expect(expiryOnDate(policy, '2027-01-31', now).toISOString()).toBe('2027-02-01T00:00:00.000Z');
    expect(expiryOnDate(policy, '2026-12-05', now).toISOString()).toBe('2026-12-06T00:00:00.000Z');
  });

  it.each(['2026-12-04', '2027-12-05', '2099-01-01', '2027-02-30', 'tomorrow', '2027-1-1', ''])(
    'refuses %j with invalid_request on expires_on',
    (date) => {
      expect(() => expiryOnDate(policy, date, now)).toThrow(
        expect.objectContaining({
          code: 'invalid_request',
          errors: [expect.objectContaining({ field: 'expires_on' })],
        }),
      );
    },
  );
});
