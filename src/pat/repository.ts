/** SQL for PAT rows. The token itself never reaches this module: only its SHA-256 hash. */
import type { KeysetPosition } from '../db/keyset.js';
import type { Queryable } from '../db/queryable.js';
import type { MayAct } from '../delegation/may-act.js';
import type { RevocationKind } from './revocation.js';
import { activePatSql, type PatStatus, patStatusSql } from './status.js';

export interface PatRow {
  id: string;
  user_id: string;
  name: string;
  hint: string;
  scopes: string[];
  created_at: Date;
  created_by: string | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  last_used_ip: string | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  revoked_reason: string | null;
  revocation_kind: RevocationKind | null;
  rotated_from: string | null;
  /** Null: usable from any address. */
  allowed_cidrs: string[] | null;
  /** Exchanges need a DPoP proof (RFC 9449). */
  require_dpop: boolean;
  /** The last 5 distinct client addresses, newest first. */
  last_used_ips: LastUsedIp[];
  /** Who may act with this PAT (RFC 8693 §4.4); null: nobody. */
  may_act: MayAct | null;
}

export interface LastUsedIp {
  ip: string;
  /** As PostgreSQL's jsonb renders a timestamptz. */
  at: string;
}

const COLUMNS = `id, user_id, name, hint, scopes, created_at, created_by, expires_at, last_used_at,
  last_used_ip, revoked_at, revoked_by, revoked_reason, revocation_kind, rotated_from, allowed_cidrs,
  last_used_ips, may_act, require_dpop`;

export interface NewPat {
  id: string;
  userId: string;
  name: string;
  tokenHash: Buffer;
  hint: string;
  scopes: string[];
  createdAt: Date;
  createdBy: string | null;
  expiresAt: Date | null;
  rotatedFrom: string | null;
  allowedCidrs?: string[] | null | undefined;
  mayAct?: MayAct | null | undefined;
  requireDpop?: boolean | undefined;
}

export async function insertPat(q: Queryable, pat: NewPat): Promise<PatRow> {
  const { rows } = await q.query<PatRow>(
    `INSERT INTO pats (id, user_id, name, token_hash, hint, scopes, created_at, created_by, expires_at, rotated_from,
       allowed_cidrs, may_act, require_dpop)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13) RETURNING ${COLUMNS}`,
    [
      pat.id,
      pat.userId,
      pat.name,
      pat.tokenHash,
      pat.hint,
      pat.scopes,
      pat.createdAt,
      pat.createdBy,
      pat.expiresAt,
      pat.rotatedFrom,
      pat.allowedCidrs ?? null,
      pat.mayAct ? JSON.stringify(pat.mayAct) : null,
      pat.requireDpop ?? false,
    ],
  );
  return rows[0] as PatRow;
}

/** One PAT by id; `forUpdate` locks the row until the surrounding transaction ends. */
export async function findPatById(q: Queryable, id: string, forUpdate = false): Promise<PatRow | null> {
  const { rows } = await q.query<PatRow>(
    `SELECT ${COLUMNS} FROM pats WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

/** The PAT that a rotation of `id` issued (its successor), if it still exists. */
export async function findPatSuccessor(
  q: Queryable,
  id: string,
): Promise<Pick<PatRow, 'id' | 'name'> | null> {
  const { rows } = await q.query<Pick<PatRow, 'id' | 'name'>>(
    'SELECT id, name FROM pats WHERE rotated_from = $1 ORDER BY created_at DESC LIMIT 1',
    [id],
  );
  return rows[0] ?? null;
}

/** The id of the PAT with this hash, whatever its state (leaked-token reports). */
export async function findPatIdByHash(q: Queryable, hash: Buffer): Promise<string | null> {
  const { rows } = await q.query<{ id: string }>('SELECT id FROM pats WHERE token_hash = $1', [hash]);
  return rows[0]?.id ?? null;
}

export interface PatFilter {
  userId?: string | undefined;
  status?: PatStatus | undefined;
  /** true: only tokens never used (no exchange, no API call); false: only tokens used at least once. */
  neverUsed?: boolean | undefined;
  /** Only active tokens expiring within this many days. */
  expiringWithinDays?: number | undefined;
  /** Only tokens whose name contains this text, case-insensitively (the console's search). */
  nameContains?: string | undefined;
  now: Date;
  limit: number;
  after: KeysetPosition | null;
}

/** PATs newest first; fetches `limit + 1` rows so the caller can tell if more follow. */
export async function listPats(q: Queryable, filter: PatFilter): Promise<PatRow[]> {
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const where: string[] = [];
  if (filter.userId) where.push(`user_id = ${param(filter.userId)}`);
  if (filter.status) where.push(patStatusSql(filter.status, () => `${param(filter.now)}::timestamptz`));
  if (filter.neverUsed !== undefined)
    where.push(filter.neverUsed ? 'last_used_at IS NULL' : 'last_used_at IS NOT NULL');
  if (filter.expiringWithinDays !== undefined) {
    const now = `${param(filter.now)}::timestamptz`;
    where.push(
      `${patStatusSql('active', now)} AND expires_at <= ${now} + make_interval(days => ${param(filter.expiringWithinDays)})`,
    );
  }
  if (filter.nameContains) {
    const literal = filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`);
    where.push(`name ILIKE ${param(`%${literal}%`)}`);
  }
  if (filter.after) {
    where.push(
      `(created_at, id) < (${param(filter.after.createdAt)}::timestamptz, ${param(filter.after.id)}::uuid)`,
    );
  }
  const { rows } = await q.query<PatRow>(
    `SELECT ${COLUMNS} FROM pats ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at DESC, id DESC LIMIT ${param(filter.limit + 1)}`,
    params,
  );
  return rows;
}

export interface Revocation {
  at: Date;
  by: string | null;
  kind: RevocationKind;
  reason: string;
}

/**
 * Which PATs a revocation is for: one token, every token of a user (however expired: deletion
 * is final), or the active tokens unused (since their last use, or creation) for N days at the
 * revocation's time.
 */
export type RevocationTarget = { id: string } | { userId: string } | { unusedForDays: number };

function targetSql(target: RevocationTarget): string {
  if ('id' in target) return 'id = $5';
  if ('userId' in target) return 'user_id = $5';
  return `${activePatSql('$1')} AND COALESCE(last_used_at, created_at) < $1::timestamptz - make_interval(days => $5)`;
}

/**
 * Revokes the target's PATs not yet revoked and returns them. One UPDATE: instances or requests
 * revoking at once each get only the rows they changed, so each PAT is revoked (and audited) once.
 * Call it through revoke.ts's `revokePats`, which audits.
 */
export async function markPatsRevoked(
  q: Queryable,
  target: RevocationTarget,
  revocation: Revocation,
): Promise<PatRow[]> {
  const value = 'id' in target ? target.id : 'userId' in target ? target.userId : target.unusedForDays;
  const { rows } = await q.query<PatRow>(
    `UPDATE pats SET revoked_at = $1, revoked_by = $2, revoked_reason = $3, revocation_kind = $4
     WHERE revoked_at IS NULL AND ${targetSql(target)} RETURNING ${COLUMNS}`,
    [revocation.at, revocation.by, revocation.reason, revocation.kind, value],
  );
  return rows;
}

/** Revokes one PAT not yet revoked; null when another request revoked it first. */
export async function markPatRevoked(
  q: Queryable,
  id: string,
  revocation: Revocation,
): Promise<PatRow | null> {
  return (await markPatsRevoked(q, { id }, revocation))[0] ?? null;
}

export async function clearPatRevocation(q: Queryable, id: string): Promise<PatRow | null> {
  const { rows } = await q.query<PatRow>(
    `UPDATE pats SET revoked_at = NULL, revoked_by = NULL, revoked_reason = NULL, revocation_kind = NULL
     WHERE id = $1 AND revoked_at IS NOT NULL RETURNING ${COLUMNS}`,
    [id],
  );
  return rows[0] ?? null;
}

/** Sets who may act with a PAT (null: nobody). */
export async function setPatMayAct(q: Queryable, id: string, mayAct: MayAct | null): Promise<PatRow> {
  const { rows } = await q.query<PatRow>(
    `UPDATE pats SET may_act = $2::jsonb WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, mayAct ? JSON.stringify(mayAct) : null],
  );
  return rows[0] as PatRow;
}

/** Sets whether a PAT's exchanges need a DPoP proof. */
export async function setPatRequireDpop(q: Queryable, id: string, requireDpop: boolean): Promise<PatRow> {
  const { rows } = await q.query<PatRow>(
    `UPDATE pats SET require_dpop = $2 WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, requireDpop],
  );
  return rows[0] as PatRow;
}

export async function deletePatRow(q: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM pats WHERE id = $1', [id]);
  return rowCount > 0;
}

/**
 * `last_used_ips` with this use in front: the address moves to the top with its new time, and
 * only the 5 most recent distinct addresses stay.
 */
const WITH_ADDRESS = `CASE WHEN $3::text IS NULL THEN last_used_ips ELSE (
    SELECT COALESCE(jsonb_agg(entry ORDER BY (entry->>'at')::timestamptz DESC), '[]'::jsonb) FROM (
      SELECT entry FROM (
        SELECT jsonb_build_object('ip', $3::text, 'at', $2::timestamptz) AS entry
        UNION ALL
        SELECT old FROM jsonb_array_elements(last_used_ips) AS old WHERE old->>'ip' IS DISTINCT FROM $3::text
      ) AS candidates ORDER BY (entry->>'at')::timestamptz DESC LIMIT 5) AS kept) END`;

/**
 * Records use (time, address, the recent addresses) unless it was recorded less than
 * `minIntervalSeconds` ago. SKIP LOCKED: when another request is updating the same hot token
 * right now, this one does not queue behind its row lock; that other write records the use.
 */
export async function touchPatLastUsed(
  q: Queryable,
  id: string,
  at: Date,
  ip: string | null,
  minIntervalSeconds: number,
) {
  await q.query(
    `UPDATE pats SET last_used_at = $2, last_used_ip = $3, last_used_ips = ${WITH_ADDRESS}
     WHERE id = (SELECT id FROM pats
                 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - make_interval(secs => $4))
                 FOR UPDATE SKIP LOCKED)`,
    [id, at, ip, minIntervalSeconds],
  );
}
