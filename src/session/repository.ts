/** SQL for console sessions. Only the hash of a session's secret reaches this module. */
import type { Queryable } from '../db/queryable.js';
import type { RecordRow } from '../pat/record.js';
import type { UserRow } from '../users/repository.js';
import type { SessionKind, SessionRecord } from './rules.js';

export interface NewSession {
  id: string;
  secretHash: Buffer;
  userId: string;
  kind: SessionKind;
  patId: string | null;
  scopes: string[];
  createdAt: Date;
  absoluteExpiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export async function insertSession(q: Queryable, s: NewSession): Promise<void> {
  await q.query(
    `INSERT INTO console_sessions (id, secret_hash, user_id, kind, pat_id, scopes, created_at, last_seen_at,
       absolute_expires_at, ip, user_agent)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10)`,
    [
      s.id,
      s.secretHash,
      s.userId,
      s.kind,
      s.patId,
      s.scopes,
      s.createdAt,
      s.absoluteExpiresAt,
      s.ip?.slice(0, 64) ?? null,
      s.userAgent?.slice(0, 512) ?? null,
    ],
  );
}

type SessionRow = Omit<RecordRow, 'pat_id'> & {
  session_id: string;
  kind: SessionKind;
  session_scopes: string[];
  session_created_at: Date;
  last_seen_at: Date;
  absolute_expires_at: Date;
  ended_at: Date | null;
  pat_id: string | null;
};

/** A session with its user and PAT, read fresh on every request (so ends apply on every instance). */
export async function findSessionByHash(q: Queryable, secretHash: Buffer): Promise<SessionRecord | null> {
  const { rows } = await q.query<SessionRow>(
    `SELECT s.id AS session_id, s.kind, s.scopes AS session_scopes, s.created_at AS session_created_at,
            s.last_seen_at, s.absolute_expires_at, s.ended_at,
            p.id AS pat_id, p.scopes AS pat_scopes, p.expires_at AS pat_expires_at, p.revoked_at AS pat_revoked_at,
            p.allowed_cidrs AS pat_allowed_cidrs, u.id, u.username, u.entitlements, u.service, u.created_at, u.disabled_at, u.deleted_at
     FROM console_sessions s JOIN users u ON u.id = s.user_id LEFT JOIN pats p ON p.id = s.pat_id
     WHERE s.secret_hash = $1`,
    [secretHash],
  );
  const row = rows[0];
  return row ? toSessionRecord(row) : null;
}

function toSessionRecord(row: SessionRow): SessionRecord {
  const user: UserRow = {
    id: row.id,
    username: row.username,
    entitlements: row.entitlements,
    service: row.service,
    created_at: row.created_at,
    disabled_at: row.disabled_at,
    deleted_at: row.deleted_at,
  };
  return {
    id: row.session_id,
    kind: row.kind,
    scopes: row.session_scopes,
    created_at: row.session_created_at,
    last_seen_at: row.last_seen_at,
    absolute_expires_at: row.absolute_expires_at,
    ended_at: row.ended_at,
    user,
    pat: row.pat_id
      ? {
          id: row.pat_id,
          scopes: row.pat_scopes,
          expires_at: row.pat_expires_at,
          revoked_at: row.pat_revoked_at,
          allowed_cidrs: row.pat_allowed_cidrs,
        }
      : null,
  };
}

/** Deletes sessions past their absolute expiry before `before`: nothing can use or list them any more. */
export async function sweepExpiredSessions(q: Queryable, before: Date): Promise<void> {
  await q.query('DELETE FROM console_sessions WHERE absolute_expires_at < $1', [before]);
}

export async function touchSession(q: Queryable, id: string, at: Date): Promise<void> {
  await q.query('UPDATE console_sessions SET last_seen_at = $2 WHERE id = $1 AND ended_at IS NULL', [id, at]);
}

/** Ends one session; false when it had already ended. */
export async function markSessionEnded(q: Queryable, id: string, at: Date, reason: string): Promise<boolean> {
  const { rowCount } = await q.query(
    'UPDATE console_sessions SET ended_at = $2, end_reason = $3 WHERE id = $1 AND ended_at IS NULL',
    [id, at, reason],
  );
  return rowCount > 0;
}

/** Ends every open session of a user except `keepId`; returns how many ended. */
export async function endOtherSessions(
  q: Queryable,
  userId: string,
  keepId: string,
  at: Date,
): Promise<number> {
  const { rowCount } = await q.query(
    `UPDATE console_sessions SET ended_at = $3, end_reason = 'signed out by another session'
     WHERE user_id = $1 AND id <> $2 AND ended_at IS NULL`,
    [userId, keepId, at],
  );
  return rowCount;
}

export interface SessionSummary {
  id: string;
  kind: SessionKind;
  created_at: Date;
  last_seen_at: Date;
  absolute_expires_at: Date;
  ip: string | null;
  user_agent: string | null;
}

/** A user's sessions that have not ended, expired or gone idle since `idleSince`, newest first. */
export async function listOpenSessions(
  q: Queryable,
  userId: string,
  now: Date,
  idleSince: Date,
): Promise<SessionSummary[]> {
  const { rows } = await q.query<SessionSummary>(
    `SELECT id, kind, created_at, last_seen_at, absolute_expires_at, ip, user_agent FROM console_sessions
     WHERE user_id = $1 AND ended_at IS NULL AND absolute_expires_at > $2 AND last_seen_at > $3
     ORDER BY created_at DESC LIMIT 50`,
    [userId, now, idleSince],
  );
  return rows;
}

/**
 * A token session whose sign-in PAT was rotated in it follows the new PAT (same scopes and
 * networks), so the page that shows the new secret can still be reached (issue 18).
 */
export async function followRotatedPat(q: Queryable, sessionId: string, oldPatId: string, newPatId: string) {
  await q.query('UPDATE console_sessions SET pat_id = $3 WHERE id = $1 AND pat_id = $2', [
    sessionId,
    oldPatId,
    newPatId,
  ]);
}
