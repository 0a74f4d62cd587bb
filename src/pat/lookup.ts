/**
 * Is the PAT a JWT was exchanged from still usable, and whose is it? One indexed lookup of PAT
 * + owner by PAT id, a prepared statement on PostgreSQL, judged by the same rule as a presented
 * PAT (record.ts). (Presented PATs are looked up by hash in hash-lookup.ts.)
 */
import type { Queryable } from '../db/queryable.js';
import { type PatRecord, RECORD_COLUMNS, type RecordRow, refusalReason, toRecord } from './record.js';

const BY_ID = `SELECT ${RECORD_COLUMNS} FROM pats p JOIN users u ON u.id = p.user_id WHERE p.id = $1`;

/** The PAT with this id and its owner, usable or not. */
export async function findPatRecordById(q: Queryable, id: string): Promise<PatRecord | null> {
  const { rows } = await q.query<RecordRow>(BY_ID, [id], 'pat-record-by-id');
  return rows[0] ? toRecord(rows[0]) : null;
}

/**
 * A JWT exchanged from a PAT is good only while its PAT is: null when revoked, expired, its user
 * gone, or presented from an address outside the PAT's `allowed_cidrs`.
 */
export async function findUsablePatById(
  q: Queryable,
  id: string,
  now: Date,
  ip: string | null,
): Promise<PatRecord | null> {
  const record = await findPatRecordById(q, id);
  return record && !refusalReason(record, now, ip) ? record : null;
}
