/**
 * The hot path: is this PAT usable, and whose is it? One indexed lookup of PAT + owner, a
 * prepared statement on PostgreSQL. The token itself never reaches this module, only its hash.
 */
import type { Queryable } from '../db/queryable.js';
import type { UserRow } from '../users/repository.js';
import type { PatRow } from './repository.js';

export interface PatHolder {
  pat: Pick<PatRow, 'id' | 'scopes' | 'expires_at'>;
  user: UserRow;
}

async function findUsablePat(q: Queryable, where: 'p.token_hash' | 'p.id', value: unknown, now: Date) {
  const name = where === 'p.token_hash' ? 'usable-pat-by-hash' : 'usable-pat-by-id';
  const { rows } = await q.query<
    UserRow & { pat_id: string; pat_scopes: string[]; pat_expires_at: Date | null }
  >(
    `SELECT p.id AS pat_id, p.scopes AS pat_scopes, p.expires_at AS pat_expires_at,
            u.id, u.username, u.entitlements, u.service, u.created_at, u.disabled_at, u.deleted_at
     FROM pats p JOIN users u ON u.id = p.user_id
     WHERE ${where} = $1 AND p.revoked_at IS NULL AND (p.expires_at IS NULL OR p.expires_at > $2)
       AND u.disabled_at IS NULL AND u.deleted_at IS NULL`,
    [value, now],
    name,
  );
  const row = rows[0];
  if (!row) return null;
  const { pat_id, pat_scopes, pat_expires_at, ...user } = row;
  return { pat: { id: pat_id, scopes: pat_scopes, expires_at: pat_expires_at }, user };
}

/**
 * The usable PAT with this hash and its owner, in one indexed lookup: null when no such token,
 * or it is revoked or expired, or its user is disabled or deleted. The caller does not learn
 * which, on purpose.
 */
export function findUsablePatByHash(q: Queryable, hash: Buffer, now: Date): Promise<PatHolder | null> {
  return findUsablePat(q, 'p.token_hash', hash, now);
}

/** The same check by PAT id: a JWT exchanged from a PAT is good only while its PAT is. */
export function findUsablePatById(q: Queryable, id: string, now: Date): Promise<PatHolder | null> {
  return findUsablePat(q, 'p.id', id, now);
}

/** Why a PAT with this hash cannot be used (only asked after a failed lookup, for the audit trail). */
export async function explainUnusablePat(
  q: Queryable,
  hash: Buffer,
  now: Date,
): Promise<{ patId: string | null; userId: string | null; reason: string }> {
  const { rows } = await q.query<{
    id: string;
    user_id: string;
    revoked_at: Date | null;
    expires_at: Date | null;
    disabled_at: Date | null;
    deleted_at: Date | null;
  }>(
    `SELECT p.id, p.user_id, p.revoked_at, p.expires_at, u.disabled_at, u.deleted_at
     FROM pats p JOIN users u ON u.id = p.user_id WHERE p.token_hash = $1`,
    [hash],
  );
  const row = rows[0];
  if (!row) return { patId: null, userId: null, reason: 'unknown token' };
  const reason = row.deleted_at
    ? 'user deleted'
    : row.disabled_at
      ? 'user disabled'
      : row.revoked_at
        ? 'token revoked'
        : row.expires_at && row.expires_at <= now
          ? 'token expired'
          : 'token unusable';
  return { patId: row.id, userId: row.user_id, reason };
}
