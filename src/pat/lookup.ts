/**
 * Is the PAT a JWT was exchanged from still usable, and whose is it? One indexed lookup of PAT
 * + owner by PAT id, a prepared statement on PostgreSQL, judged by the same rule as a presented
 * PAT (record.ts). (Presented PATs are looked up by hash in hash-lookup.ts.)
 */
import type { Queryable } from '../db/queryable.js';
import { type PatRecord, RECORD_COLUMNS, type RecordRow, toRecord, unusableReason } from './record.js';

const BY_ID = `SELECT ${RECORD_COLUMNS} FROM pats p JOIN users u ON u.id = p.user_id WHERE p.id = $1`;

/** A JWT exchanged from a PAT is good only while its PAT is: null when revoked, expired or its user gone. */
export async function findUsablePatById(q: Queryable, id: string, now: Date): Promise<PatRecord | null> {
  const { rows } = await q.query<RecordRow>(BY_ID, [id], 'pat-record-by-id');
  const record = rows[0] ? toRecord(rows[0]) : null;
  return record && !unusableReason(record, now) ? record : null;
}
