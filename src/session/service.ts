/**
 * Console sessions: open one (sign-in), find the one a cookie names, end one (sign-out). A
 * session is read from the database on every request, so a sign-out, a disabled user or a
 * revoked PAT ends it at once on every instance. Sign-ins and sign-outs are audited.
 */
import { randomUUID } from 'node:crypto';
import type { RequestMeta } from '../audit/event.js';
import { recordAudit } from '../audit/record.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/queryable.js';
import type { UserRow } from '../users/repository.js';
import {
  findSessionByHash,
  insertSession,
  markSessionEnded,
  sweepExpiredSessions,
  touchSession,
} from './repository.js';
import {
  absoluteExpiry,
  effectiveScopes,
  isUsableFrom,
  type Lifetimes,
  needsTouch,
  type SessionKind,
  type SessionRecord,
  scopesAtSignIn,
  sessionEndReason,
  sessionNetworks,
} from './rules.js';
import { hashSessionSecret, isWellFormedSecret, newSessionSecret } from './secret.js';

export interface SessionContext {
  db: Database;
  clock: Clock;
  lifetimes: Lifetimes;
}

/** A session that may be used for this request. */
export interface ActiveSession {
  id: string;
  secret: string;
  kind: SessionKind;
  user: UserRow;
  patId: string | null;
  /** What this request may do: the session's scopes within the user's current entitlements. */
  scopes: string[];
  /** The sign-in PAT's `allowed_cidrs` (null: anywhere): the networks ceiling of what it mints. */
  networks: string[] | null;
}

export interface SignIn {
  user: UserRow;
  kind: SessionKind;
  /** The PAT a token sign-in presented (its scopes bound the session). */
  pat: { id: string; scopes: string[] } | null;
  /** For the audit row: how the user signed in (e.g. the IdP's issuer). */
  via: string;
}

/** Opens a session and returns its secret (the cookie's value, never stored). */
export async function openSession(ctx: SessionContext, signIn: SignIn, meta: RequestMeta): Promise<string> {
  const secret = newSessionSecret();
  const now = ctx.clock();
  await ctx.db.transaction(async (tx) => {
    // Each sign-in clears out sessions a day past their end, so the table stays the size of its use.
    await sweepExpiredSessions(tx, new Date(now.getTime() - 86_400_000));
    await insertSession(tx, {
      id: randomUUID(),
      secretHash: hashSessionSecret(secret),
      userId: signIn.user.id,
      kind: signIn.kind,
      patId: signIn.pat?.id ?? null,
      scopes: scopesAtSignIn(signIn.user, signIn.pat?.scopes ?? null),
      createdAt: now,
      absoluteExpiresAt: absoluteExpiry(now, ctx.lifetimes),
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
    await recordAudit(tx, {
      at: now,
      action: 'console.signed_in',
      outcome: 'success',
      actorUserId: signIn.user.id,
      subjectUserId: signIn.user.id,
      patId: signIn.pat?.id ?? null,
      meta,
      reason: signIn.via,
    });
  });
  return secret;
}

/** Records a refused sign-in; `reason` is internal (never shown, never a secret). */
export function recordRefusedSignIn(
  ctx: SessionContext,
  refusal: { userId?: string | null; patId?: string | null; reason: string },
  meta: RequestMeta,
) {
  return recordAudit(ctx.db, {
    at: ctx.clock(),
    action: 'console.sign_in_refused',
    outcome: 'failure',
    subjectUserId: refusal.userId ?? null,
    patId: refusal.patId ?? null,
    meta,
    reason: refusal.reason,
  });
}

/**
 * The session a cookie names when it may still be used from the client address `ip`; an
 * unusable one is ended on the way (one used from outside its PAT's networks is only refused).
 */
export async function resolveSession(
  ctx: SessionContext,
  secret: string | undefined,
  ip: string | null,
): Promise<ActiveSession | null> {
  if (!isWellFormedSecret(secret)) return null;
  const record = await findSessionByHash(ctx.db, hashSessionSecret(secret));
  if (!record) return null;
  const now = ctx.clock();
  const reason = sessionEndReason(record, now, ctx.lifetimes);
  if (reason) {
    if (!record.ended_at) await markSessionEnded(ctx.db, record.id, now, reason);
    return null;
  }
  if (!isUsableFrom(record, ip)) return null;
  if (needsTouch(record, now)) await touchSession(ctx.db, record.id, now);
  return toActive(record, secret);
}

function toActive(record: SessionRecord, secret: string): ActiveSession {
  return {
    id: record.id,
    secret,
    kind: record.kind,
    user: record.user,
    patId: record.pat?.id ?? null,
    scopes: effectiveScopes(record),
    networks: sessionNetworks(record),
  };
}

/** Sign-out: ends the session at once, for every instance, and audits it. */
export async function signOut(ctx: SessionContext, session: ActiveSession, meta: RequestMeta): Promise<void> {
  const now = ctx.clock();
  await ctx.db.transaction(async (tx) => {
    if (!(await markSessionEnded(tx, session.id, now, 'signed out'))) return;
    await recordAudit(tx, {
      at: now,
      action: 'console.signed_out',
      outcome: 'success',
      actorUserId: session.user.id,
      subjectUserId: session.user.id,
      patId: session.patId,
      meta,
    });
  });
}
