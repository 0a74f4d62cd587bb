import type { KeysetPosition } from '../db/keyset.js';
import type { Queryable } from '../db/queryable.js';

export interface UserRow {
  id: string;
  username: string;
  entitlements: string[];
  service: boolean;
  created_at: Date;
  disabled_at: Date | null;
  deleted_at: Date | null;
  /** Where the user's email notices go; null: none are sent. */
  email?: string | null | undefined;
}

const COLUMNS = 'id, username, entitlements, service, created_at, disabled_at, deleted_at, email';

/** Inserts a user; null when a live user already has that username (any case). */
export async function insertUser(
  q: Queryable,
  user: Omit<UserRow, 'disabled_at' | 'deleted_at' | 'email'> & { email?: string | null | undefined },
) {
  const { rows } = await q.query<UserRow>(
    `INSERT INTO users (id, username, entitlements, service, created_at, email)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (lower(username)) WHERE deleted_at IS NULL DO NOTHING
     RETURNING ${COLUMNS}`,
    [user.id, user.username, user.entitlements, user.service, user.created_at, user.email ?? null],
  );
  return rows[0] ?? null;
}

/** A user who has not been deleted. */
export async function findUserById(q: Queryable, id: string): Promise<UserRow | null> {
  const { rows } = await q.query<UserRow>(
    `SELECT ${COLUMNS} FROM users WHERE id = $1 AND deleted_at IS NULL`,
    [id],
  );
  return rows[0] ?? null;
}

/** Any user, deleted ones included (their history still names them). */
export async function findUserByIdIncludingDeleted(q: Queryable, id: string): Promise<UserRow | null> {
  const { rows } = await q.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export async function findUserByUsername(q: Queryable, username: string): Promise<UserRow | null> {
  const { rows } = await q.query<UserRow>(
    `SELECT ${COLUMNS} FROM users WHERE lower(username) = lower($1) AND deleted_at IS NULL`,
    [username],
  );
  return rows[0] ?? null;
}

export async function countUsers(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return rows[0]?.n ?? 0;
}

/** Live users, newest first; fetches `limit + 1` rows so the caller can tell if more follow. */
export async function listUsers(q: Queryable, limit: number, after: KeysetPosition | null) {
  const { rows } = await q.query<UserRow>(
    `SELECT ${COLUMNS} FROM users
     WHERE deleted_at IS NULL AND ($1::timestamptz IS NULL OR (created_at, id) < ($1, $2::uuid))
     ORDER BY created_at DESC, id DESC LIMIT $3`,
    [after?.createdAt ?? null, after?.id ?? null, limit + 1],
  );
  return rows;
}

export async function setUserDisabled(q: Queryable, id: string, disabledAt: Date | null) {
  const { rows } = await q.query<UserRow>(
    `UPDATE users SET disabled_at = $2 WHERE id = $1 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
    [id, disabledAt],
  );
  return rows[0] ?? null;
}

/**
 * Changes a live user's username and/or entitlements; null when there is no such user. A
 * username another live user holds (any case) violates the unique index: SQLSTATE 23505.
 */
export async function updateUserRow(
  q: Queryable,
  id: string,
  change: {
    username?: string | undefined;
    entitlements?: string[] | undefined;
    email?: string | null | undefined;
  },
) {
  const { rows } = await q.query<UserRow>(
    `UPDATE users SET username = coalesce($2, username), entitlements = coalesce($3, entitlements),
       email = CASE WHEN $4::boolean THEN $5 ELSE email END
     WHERE id = $1 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
    [
      id,
      change.username ?? null,
      change.entitlements ?? null,
      change.email !== undefined,
      change.email ?? null,
    ],
  );
  return rows[0] ?? null;
}

export async function markUserDeleted(q: Queryable, id: string, deletedAt: Date) {
  const { rowCount } = await q.query(
    'UPDATE users SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL',
    [id, deletedAt],
  );
  return rowCount > 0;
}
