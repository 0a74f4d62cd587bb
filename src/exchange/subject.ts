/**
 * The subject token: a Tessera PAT. A bad checksum is refused before any database query; then
 * one indexed lookup of PAT + owner (shared with the exchanges of the same turn, see
 * pat/hash-lookup.ts) decides, usable or not and why. Every failure is the same
 * `invalid_request` (RFC 8693 §2.2.2); the cause is kept for the audit trail only.
 */
import { hashPat, isWellFormedPat } from '../pat/format.js';
import type { PatHashLookup } from '../pat/hash-lookup.js';
import { type PatRecord, refusalReason } from '../pat/record.js';
import { INVALID_SUBJECT_TOKEN } from './constants.js';
import { ExchangeDenied, invalidRequest } from './denial.js';

/** A denial that knows which PAT and user it concerns, for the audit row. */
export class SubjectDenied extends ExchangeDenied {
  constructor(
    denied: ExchangeDenied,
    readonly patId: string | null,
    readonly userId: string | null,
  ) {
    super(denied.oauthError, denied.reason);
  }
}

export async function authenticateSubject(
  lookup: PatHashLookup,
  prefix: string,
  token: string,
  now: Date,
  ip: string | null,
): Promise<PatRecord> {
  if (!isWellFormedPat(prefix, token)) {
    throw new SubjectDenied(
      invalidRequest(INVALID_SUBJECT_TOKEN, 'malformed token or bad checksum'),
      null,
      null,
    );
  }
  const record = await lookup.find(hashPat(token));
  if (!record) {
    throw new SubjectDenied(invalidRequest(INVALID_SUBJECT_TOKEN, 'unknown token'), null, null);
  }
  const reason = refusalReason(record, now, ip);
  if (!reason) return record;
  throw new SubjectDenied(invalidRequest(INVALID_SUBJECT_TOKEN, reason), record.pat.id, record.user.id);
}
