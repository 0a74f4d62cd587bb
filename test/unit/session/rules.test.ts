import { describe, expect, it } from '@jest/globals';
import {
  absoluteExpiry,
  effectiveScopes,
  idleExpiry,
  needsTouch,
  type SessionRecord,
  scopesAtSignIn,
  sessionEndReason,
} from '../../../src/session/rules.js';
import type { UserRow } from '../../../src/users/repository.js';

const NOW = new Date('2026-11-28T12:00:00Z');
const LIFETIMES = { sessionIdleMinutes: 60, sessionMaxHours: 12 };
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

const user = (over: Partial<UserRow> = {}): UserRow => ({
  id: 'u1',
  username: 'ada',
  entitlements: ['tessera:tokens', 'repo:read'],
  service: false,
  created_at: minutes(-1000),
  disabled_at: null,
  deleted_at: null,
  ...over,
});

const session = (over: Partial<SessionRecord> = {}): SessionRecord => ({
  id: 's1',
  kind: 'sso',
  scopes: ['tessera:tokens', 'repo:read'],
  created_at: minutes(-30),
  last_seen_at: minutes(-5),
  absolute_expires_at: minutes(600),
  ended_at: null,
  user: user(),
  pat: null,
  ...over,
});

const pat = (over = {}) => ({
  id: 'p1',
  scopes: ['tessera:tokens'],
  expires_at: minutes(1000),
  revoked_at: null,
  ...over,
});

describe('session lifetimes', () => {
  it('puts the absolute end sessionMaxHours after creation and the idle end sessionIdleMinutes after last use', () => {
    expect(absoluteExpiry(NOW, LIFETIMES)).toEqual(minutes(12 * 60));
    expect(idleExpiry(NOW, LIFETIMES)).toEqual(minutes(60));
  });
  it('ends a session idle for sessionIdleMinutes, not one a second younger', () => {
    expect(sessionEndReason(session({ last_seen_at: minutes(-60) }), NOW, LIFETIMES)).toBe('idle');
    expect(
      sessionEndReason(session({ last_seen_at: new Date(minutes(-60).getTime() + 1000) }), NOW, LIFETIMES),
    ).toBeNull();
  });
  it('ends a session at its absolute expiry even while it is in use', () => {
    expect(sessionEndReason(session({ absolute_expires_at: NOW, last_seen_at: NOW }), NOW, LIFETIMES)).toBe(
      'expired',
    );
  });
  it('writes last-seen at most once a minute', () => {
    expect(needsTouch(session({ last_seen_at: minutes(-0.5) }), NOW)).toBe(false);
    expect(needsTouch(session({ last_seen_at: minutes(-1) }), NOW)).toBe(true);
  });
});

describe('what ends a session at once', () => {
  it('keeps a fresh SSO session', () => {
    expect(sessionEndReason(session(), NOW, LIFETIMES)).toBeNull();
  });
  it('a sign-out', () => {
    expect(sessionEndReason(session({ ended_at: minutes(-1) }), NOW, LIFETIMES)).toBe('ended');
  });
  it('a disabled or deleted user', () => {
    expect(sessionEndReason(session({ user: user({ disabled_at: minutes(-1) }) }), NOW, LIFETIMES)).toBe(
      'user disabled',
    );
    expect(sessionEndReason(session({ user: user({ deleted_at: minutes(-1) }) }), NOW, LIFETIMES)).toBe(
      'user deleted',
    );
  });
  it('the sign-in PAT revoked, expired or deleted', () => {
    const token = (p: SessionRecord['pat']) => session({ kind: 'token', pat: p });
    expect(sessionEndReason(token(pat()), NOW, LIFETIMES)).toBeNull();
    expect(sessionEndReason(token(pat({ revoked_at: minutes(-1) })), NOW, LIFETIMES)).toBe('token revoked');
    expect(sessionEndReason(token(pat({ expires_at: NOW })), NOW, LIFETIMES)).toBe('token expired');
    expect(sessionEndReason(token(null), NOW, LIFETIMES)).toBe('token deleted');
  });
});

describe('session scopes', () => {
  it('a token sign-in holds only the PAT scopes the user is still entitled to', () => {
    expect(scopesAtSignIn(user(), ['tessera:tokens', 'repo:write'])).toEqual(['tessera:tokens']);
  });
  it('an SSO sign-in holds the user entitlements', () => {
    expect(scopesAtSignIn(user(), null)).toEqual(['tessera:tokens', 'repo:read']);
  });
  it('narrower entitlements bind an open session at once', () => {
    expect(effectiveScopes(session({ user: user({ entitlements: ['repo:read'] }) }))).toEqual(['repo:read']);
  });
});
