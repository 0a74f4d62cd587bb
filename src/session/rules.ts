/**
 * Whether a console session may still be used (pure; no I/O). A session ends when it is signed
 * out, when it has been idle or open too long, when its user is disabled or deleted, and (for a
 * session opened with a PAT) as soon as that PAT stops being usable: the same rule as /token.
 */
import type { ConsoleConfig } from '../config.js';
import { isAddressAllowed } from '../pat/address-allowlist.js';
import { type PatRecord, unusableReason } from '../pat/record.js';
import { intersectScopes } from '../scopes.js';
import type { UserRow } from '../users/repository.js';

export type SessionKind = 'sso' | 'token';
export type Lifetimes = Pick<ConsoleConfig, 'sessionIdleMinutes' | 'sessionMaxHours'>;

/** A session row with what its validity depends on. */
export interface SessionRecord {
  id: string;
  kind: SessionKind;
  scopes: string[];
  created_at: Date;
  last_seen_at: Date;
  absolute_expires_at: Date;
  ended_at: Date | null;
  user: UserRow;
  /** The PAT of a 'token' session; null when it has been deleted (or for SSO). */
  pat: PatRecord['pat'] | null;
}

/** Last-seen times are written at most this often, so browsing a page does not write each time. */
export const TOUCH_INTERVAL_MS = 60_000;

export function absoluteExpiry(createdAt: Date, lifetimes: Lifetimes): Date {
  return new Date(createdAt.getTime() + lifetimes.sessionMaxHours * 3_600_000);
}

export function idleExpiry(lastSeenAt: Date, lifetimes: Lifetimes): Date {
  return new Date(lastSeenAt.getTime() + lifetimes.sessionIdleMinutes * 60_000);
}

/** Why this session cannot be used at `now`, or null when it can. */
export function sessionEndReason(session: SessionRecord, now: Date, lifetimes: Lifetimes): string | null {
  if (session.ended_at) return 'ended';
  if (session.kind === 'token') {
    if (!session.pat) return 'token deleted';
    const unusable = unusableReason({ pat: session.pat, user: session.user }, now);
    if (unusable) return unusable;
  }
  if (session.user.deleted_at) return 'user deleted';
  if (session.user.disabled_at) return 'user disabled';
  if (session.absolute_expires_at <= now) return 'expired';
  if (idleExpiry(session.last_seen_at, lifetimes) <= now) return 'idle';
  return null;
}

/**
 * The networks a session may be used from (issue 18): a session opened with a PAT that has
 * `allowed_cidrs` is bound to them as the PAT is, or a cookie taken from inside the network
 * would work from anywhere. Null: from anywhere (SSO, or an unfenced PAT).
 */
export function sessionNetworks(session: Pick<SessionRecord, 'kind' | 'pat'>): string[] | null {
  return session.kind === 'token' ? (session.pat?.allowed_cidrs ?? null) : null;
}

/**
 * May this request, from `ip`, use the session? Unlike `sessionEndReason`, a refusal does not
 * end it: the cookie's holder inside the network keeps working, a copy used elsewhere does not.
 */
export function isUsableFrom(session: Pick<SessionRecord, 'kind' | 'pat'>, ip: string | null): boolean {
  return isAddressAllowed(sessionNetworks(session), ip);
}

/** What the session may do now: its own scopes within the user's current entitlements. */
export function effectiveScopes(session: Pick<SessionRecord, 'scopes' | 'user'>): string[] {
  return intersectScopes(session.scopes, session.user.entitlements);
}

/**
 * The scopes a new session holds. A token sign-in holds only that PAT's scopes (within the
 * user's entitlements); an SSO sign-in holds the user's entitlements.
 */
export function scopesAtSignIn(user: UserRow, patScopes: readonly string[] | null): string[] {
  return patScopes ? intersectScopes(patScopes, user.entitlements) : [...user.entitlements];
}

export function needsTouch(session: Pick<SessionRecord, 'last_seen_at'>, now: Date): boolean {
  return now.getTime() - session.last_seen_at.getTime() >= TOUCH_INTERVAL_MS;
}
