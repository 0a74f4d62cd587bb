import { describe, expect, it } from '@jest/globals';
import { webhookEventFor } from '../../../src/audit/webhook-event.js';

describe('webhook payloads name the token and its owner', () => {
  it('carries token_name, token_hint and username besides the ids, and typed expiry days', () => {
    const event = webhookEventFor(
      {
        at: new Date('2026-12-05T00:00:00Z'),
        action: 'pat.expiring',
        outcome: 'success',
        subjectUserId: 'u1',
        patId: 'p1',
        meta: { ip: null, userAgent: null },
        reason: 'expiring:7',
        token: { name: 'deploy', hint: 'tsr_AbCd' },
        daysBeforeExpiry: 7,
      },
      { username: 'alice' },
    );
    expect(event?.data).toMatchObject({
      token_id: 'p1',
      token_name: 'deploy',
      token_hint: 'tsr_AbCd',
      username: 'alice',
      user_id: 'u1',
      days_before_expiry: 7,
    });
  });
});
