/**
 * The subject token: a Tessera PAT, authenticated by the one PAT rule (pat/authenticate.ts).
 * Every failure is the same `invalid_request` (RFC 8693 §2.2.2); the cause is kept for the
 * audit trail only.
 */
import { authenticatePat } from '../pat/authenticate.js';
import type { PatHashLookup } from '../pat/hash-lookup.js';
import type { PatRecord } from '../pat/record.js';
import type { UsageTracker } from '../pat/usage.js';
import { invalidSubjectToken } from './denial.js';
import { type ExchangeSubject, SubjectDenied } from './subject.js';

export interface PatSubjectDeps {
  lookup: PatHashLookup;
  usage: UsageTracker;
  /** `tokens.prefix`: a PAT's checksum covers it. */
  prefix: string;
}

/** The PAT presented as `subject_token`, usable at `now` from `ip`; else SubjectDenied. */
export async function patSubject(
  deps: PatSubjectDeps,
  token: string,
  now: Date,
  ip: string | null,
): Promise<ExchangeSubject> {
  const result = await authenticatePat(deps.lookup, deps.prefix, token, now, ip);
  if (!result.ok) {
    const { reason, record } = result;
    const facts = { patId: record?.pat.id ?? null, userId: record?.user.id ?? null };
    throw new SubjectDenied(invalidSubjectToken(reason), facts);
  }
  return subjectOf(result.record, now, () => deps.usage.record(result.record.pat.id, now, ip));
}

/** A usable PAT as an exchange subject: a JWT never outlives its PAT. */
function subjectOf(record: PatRecord, now: Date, afterGrant: () => Promise<void>): ExchangeSubject {
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
    mayAct: pat.may_act ?? null,
    requireDpop: pat.require_dpop === true,
    afterGrant,
  };
}
