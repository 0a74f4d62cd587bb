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
import { invalidRequest } from './denial.js';
import { type ExchangeSubject, SubjectDenied } from './subject.js';

const denied = (reason: string, patId: string | null = null, userId: string | null = null) =>
  new SubjectDenied(invalidRequest(INVALID_SUBJECT_TOKEN, reason), { patId, userId });

export async function authenticatePat(
  lookup: PatHashLookup,
  prefix: string,
  token: string,
  now: Date,
  ip: string | null,
): Promise<PatRecord> {
  if (!isWellFormedPat(prefix, token)) throw denied('malformed token or bad checksum');
  const record = await lookup.find(hashPat(token));
  if (!record) throw denied('unknown token');
  // Unusable, or presented from outside its allowed_cidrs (reason ip_not_allowed).
  const reason = refusalReason(record, now, ip);
  if (!reason) return record;
  throw denied(reason, record.pat.id, record.user.id);
}

/** A usable PAT as an exchange subject: a JWT never outlives its PAT. */
export function patSubject(record: PatRecord, now: Date, afterGrant: () => Promise<void>): ExchangeSubject {
  const { pat, user } = record;
  const left = pat.expires_at ? Math.floor((pat.expires_at.getTime() - now.getTime()) / 1000) : null;
  return {
    userId: user.id,
    credentialId: pat.id,
    entitlements: user.entitlements,
    heldScopes: pat.scopes,
    maxLifetime: left,
    claims: { pat_id: pat.id },
    facts: { patId: pat.id, userId: user.id },
    requireDpop: pat.require_dpop === true,
    afterGrant,
  };
}
