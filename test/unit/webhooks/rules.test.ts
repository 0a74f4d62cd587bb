/** The pure webhook rules: which audit actions become events, the backoff schedule, allowed URLs. */
import { describe, expect, it } from '@jest/globals';
import type { AuditEvent } from '../../../src/audit/event.js';
import { webhookEventFor } from '../../../src/audit/webhook-event.js';
import { retryDelaySeconds } from '../../../src/jobs/backoff.js';
import { endpointUrlProblem, isPrivateAddress } from '../../../src/webhooks/url.js';

const at = new Date('2026-11-28T12:00:00Z');
const audit = (action: string, extra: Partial<AuditEvent> = {}): AuditEvent =>
  ({ at, action, outcome: 'success', meta: { ip: '10.0.0.1', userAgent: 'ua' }, ...extra }) as AuditEvent;

describe('webhookEventFor', () => {
  it.each([
    ['pat.created', 'token.created'],
    ['pat.rotated', 'token.rotated'],
    ['pat.revoked', 'token.revoked'],
    ['pat.restored', 'token.restored'],
    ['pat.deleted', 'token.deleted'],
    ['pat.expired', 'token.expired'],
    ['user.disabled', 'user.disabled'],
    ['trust_policy.created', 'trust_policy.changed'],
    ['trust_policy.deleted', 'trust_policy.changed'],
  ])('%s -> %s', (action, type) => {
    expect(webhookEventFor(audit(action))?.type).toBe(type);
  });

  it('announces a leak revocation as token.leaked, whatever its reason text', () => {
    const leak = { revocationKind: 'leak', reason: 'found in a public gist' } as const;
    expect(webhookEventFor(audit('pat.revoked', leak))?.type).toBe('token.leaked');
  });

  it('decides token.leaked by the revocation kind, never by the reason text', () => {
    // An owner's or an administrator's own words are not a leak report.
    for (const revocationKind of ['owner', 'admin', null] as const) {
      const revoked = audit('pat.revoked', { reason: 'reported leaked', revocationKind });
      expect(webhookEventFor(revoked)?.type).toBe('token.revoked');
    }
  });

  it('says how many days are left on token.expiring, from the typed field', () => {
    const expiring = { reason: 'expiring:7', daysBeforeExpiry: 7, patId: 'p' };
    expect(webhookEventFor(audit('pat.expiring', expiring))).toEqual({
      type: 'token.expiring',
      timestamp: at.toISOString(),
      data: {
        action: 'pat.expiring',
        user_id: null,
        actor_user_id: null,
        token_id: 'p',
        reason: 'expiring:7',
        days_before_expiry: 7,
      },
    });
  });

  it('emits nothing for exchanges, failures and other actions, and never the request metadata', () => {
    for (const action of ['token.exchanged', 'user.created', 'user.enabled', 'webhook.created']) {
      expect(webhookEventFor(audit(action))).toBeNull();
    }
    expect(webhookEventFor(audit('pat.revoked', { outcome: 'failure' }))).toBeNull();
    expect(JSON.stringify(webhookEventFor(audit('pat.created', { jti: 'j', clientId: 'c' })))).not.toMatch(
      /10\.0\.0\.1|"ua"|jti|client/,
    );
  });
});

describe('retryDelaySeconds', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelaySeconds(n, 10, 200))).toEqual([10, 20, 40, 80, 160, 200]);
    expect(retryDelaySeconds(10_000, 10, 3600)).toBe(3600);
  });
});

describe('endpointUrlProblem', () => {
  it.each(['https://hooks.example.com/x', 'https://93.184.215.14/h', 'https://[2606:4700::1111]/h'])(
    'accepts %s',
    (url) => expect(endpointUrlProblem(url)).toBeNull(),
  );
  it.each([
    'http://example.com/h',
    'http://127.0.0.1:8080/h',
    'https://127.0.0.1:8080/h',
    'https://localhost/h',
    'https://[::1]:9/h',
    'https://2130706433/h',
    'https://0x7f.0.0.1/h',
    'https://017700000001/h',
    'https://10.0.0.1/h',
    'https://100.64.1.1/h',
    'https://169.254.169.254/latest/meta-data/',
    'https://[::ffff:127.0.0.1]/h',
    'https://[::ffff:a9fe:a9fe]/h',
    'https://[fd00::1]/h',
    'https://[fe80::1]/h',
    'https://[::]/h',
    'https://0.0.0.0/h',
    'file:///etc/passwd',
    'https://u:p@example.com/',
    'https://example.com/#frag',
    'not a url',
  ])('refuses %s', (url) => expect(endpointUrlProblem(url)).not.toBeNull());
  it.each(['http://127.0.0.1:8080/h', 'http://localhost/h', 'http://[::1]:9/h', 'http://10.0.0.1/h'])(
    'accepts %s with allowPrivateNetworks',
    (url) => expect(endpointUrlProblem(url, true)).toBeNull(),
  );
});

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.169.254',
    '::1',
    '[::1]',
    '::ffff:10.0.0.1',
    '::ffff:7f00:1',
    'fd12::1',
    'fe80::1',
    '64:ff9b::7f00:1',
  ])('%s is private', (address) => expect(isPrivateAddress(address)).toBe(true));
  it.each(['93.184.215.14', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8', '172.32.0.1'])(
    '%s is not',
    (address) => expect(isPrivateAddress(address)).toBe(false),
  );
});
