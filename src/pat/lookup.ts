/**
 * Is the PAT a JWT was exchanged from still usable, and whose is it? One indexed lookup of PAT
 * + owner by PAT id, a prepared statement on PostgreSQL. (Presented PATs are looked up by hash
 * in hash-lookup.ts.)
 */
import type { Queryable } from '../db/queryable.js';
import type { UserRow } from '../users/repository.js';
import type { PatRow } from './repository.js';

export interface PatHolder {
  pat: Pick<PatRow, 'id' | 'scopes' | 'expires_at'>;
  user: UserRow;
}

/** A JWT exchanged from a PAT is good only while its PAT is: null when revoked, expired or its user gone. */
export async function findUsablePatById(q: Queryable, id: string, now: Date): Promise<PatHolder | null> {
  const { rows } = await q.query<
    UserRow & { pat_id: string; pat_scopes: string[]; pat_expires_at: Date | null }
  >(
    `SELECT p.id AS pat_id, p.scopes AS pat_scopes, p.expires_at AS pat_expires_at,
            u.id, u.username, u.entitlements, u.service, u.created_at, u.disabled_at, u.deleted_at
     FROM pats p JOIN users u ON u.id = p.user_id
     WHERE p.id = $1 AND p.revoked_at IS NULL AND (p.expires_at IS NULL OR p.expires_at > $2)
       AND u.disabled_at IS NULL AND u.deleted_at IS NULL`,
    [id, now],
    'usable-pat-by-id',
  );
  const row = rows[0];
  if (!row) return null;
  const { pat_id, pat_scopes, pat_expires_at, ...user } = row;
  return { pat: { id: pat_id, scopes: pat_scopes, expires_at: pat_expires_at }, user };
}
