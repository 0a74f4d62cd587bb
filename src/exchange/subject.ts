/**
 * The subject token: a Tessera PAT. A bad checksum is refused before any database query; a
 * usable PAT is one indexed lookup (PAT + owner). Every failure is the same `invalid_request`
 * (RFC 8693 §2.2.2); the cause is kept for the audit trail only.
 */
import type { Database } from '../db/queryable.js';
import { hashPat, isWellFormedPat } from '../pat/format.js';
import { explainUnusablePat, findUsablePatByHash, type PatHolder } from '../pat/lookup.js';
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
  db: Database,
  prefix: string,
  token: string,
  now: Date,
): Promise<PatHolder> {
  if (!isWellFormedPat(prefix, token)) {
    throw new SubjectDenied(
      invalidRequest(INVALID_SUBJECT_TOKEN, 'malformed token or bad checksum'),
      null,
      null,
    );
  }
  const hash = hashPat(token);
  const holder = await findUsablePatByHash(db, hash, now);
  if (holder) return holder;
  const why = await explainUnusablePat(db, hash, now);
  throw new SubjectDenied(invalidRequest(INVALID_SUBJECT_TOKEN, why.reason), why.patId, why.userId);
}
