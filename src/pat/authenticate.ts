/**
 * The one PAT authentication, for every path that accepts a PAT (`/token`, `/api/v1`, console
 * sign-in): a bad checksum is refused before any database query; then one indexed lookup of
 * PAT + owner (batched per turn, see hash-lookup.ts) and the one usability rule (record.ts).
 * The caller decides what a refusal means for it (an OAuth error, a 401...).
 */
import { hashPat, isWellFormedPat } from './format.js';
import type { PatHashLookup } from './hash-lookup.js';
import { type PatRecord, refusalReason } from './record.js';

export type PatAuthentication =
  | { ok: true; record: PatRecord }
  /** `record` is the PAT that was found, when one was (for the audit row). */
  | { ok: false; reason: string; record: PatRecord | null };

export async function authenticatePat(
  lookup: PatHashLookup,
  prefix: string,
  token: string,
  now: Date,
  ip: string | null,
): Promise<PatAuthentication> {
  if (!isWellFormedPat(prefix, token))
    return { ok: false, reason: 'malformed token or bad checksum', record: null };
  const record = await lookup.find(hashPat(token));
  if (!record) return { ok: false, reason: 'unknown token', record: null };
  // Unusable, or presented from outside its allowed_cidrs (reason ip_not_allowed).
  const reason = refusalReason(record, now, ip);
  return reason ? { ok: false, reason, record } : { ok: true, record };
}
