/**
 * A PAT with its owner, as both lookups read it (by hash in hash-lookup.ts, by id in lookup.ts),
 * and the one rule for whether it may be used.
 */
import type { MayAct } from '../delegation/may-act.js';
import type { UserRow } from '../users/repository.js';
import { IP_NOT_ALLOWED, isAddressAllowed } from './address-allowlist.js';
import type { PatRow } from './repository.js';
import { type PatStatus, patStatus } from './status.js';

export interface PatRecord {
  pat: Pick<PatRow, 'id' | 'scopes' | 'expires_at' | 'revoked_at'> & {
    allowed_cidrs?: string[] | null;
    may_act?: MayAct | null;
    /** Exchanges need a DPoP proof. */
    require_dpop?: boolean;
  };
  user: UserRow;
}

/** The columns of a PatRecord, from `pats p JOIN users u`. */
export const RECORD_COLUMNS = `p.id AS pat_id, p.scopes AS pat_scopes, p.expires_at AS pat_expires_at,
  p.revoked_at AS pat_revoked_at, p.allowed_cidrs AS pat_allowed_cidrs, p.may_act AS pat_may_act,
  p.require_dpop AS pat_require_dpop,
  u.id, u.username, u.entitlements, u.service, u.created_at, u.disabled_at, u.deleted_at`;

export type RecordRow = UserRow & {
  pat_id: string;
  pat_scopes: string[];
  pat_expires_at: Date | null;
  pat_revoked_at: Date | null;
  pat_allowed_cidrs: string[] | null;
  pat_may_act?: MayAct | null;
  pat_require_dpop: boolean;
};

export function toRecord(row: RecordRow): PatRecord {
  const {
    pat_id,
    pat_scopes,
    pat_expires_at,
    pat_revoked_at,
    pat_allowed_cidrs,
    pat_may_act,
    pat_require_dpop,
    ...user
  } = row;
  return {
    pat: {
      id: pat_id,
      scopes: pat_scopes,
      expires_at: pat_expires_at,
      revoked_at: pat_revoked_at,
      allowed_cidrs: pat_allowed_cidrs,
      may_act: pat_may_act ?? null,
      require_dpop: pat_require_dpop,
    },
    user,
  };
}

const STATUS_REASON: Record<PatStatus, string | null> = {
  active: null,
  revoked: 'token revoked',
  expired: 'token expired',
};

/** Why this PAT cannot be used at `now`, or null when it can. The owner's state comes first. */
export function unusableReason(record: PatRecord, now: Date): string | null {
  if (record.user.deleted_at) return 'user deleted';
  if (record.user.disabled_at) return 'user disabled';
  return STATUS_REASON[patStatus(record.pat, now)];
}

/**
 * Why this PAT cannot be used at `now` from client address `ip`, or null when it can: its
 * state first (unusableReason), then its `allowed_cidrs`. Both /token and /api/v1 ask this.
 */
export function refusalReason(record: PatRecord, now: Date, ip: string | null): string | null {
  const unusable = unusableReason(record, now);
  if (unusable) return unusable;
  return isAddressAllowed(record.pat.allowed_cidrs ?? null, ip) ? null : IP_NOT_ALLOWED;
}
