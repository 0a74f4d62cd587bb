/** The JSON shapes the API answers with. A PAT's secret and hash never appear here. */

import type { z } from 'zod';
import { toPage } from '../db/keyset.js';
import type { Queryable } from '../db/queryable.js';
import { listPats, type PatFilter, type PatRow } from '../pat/repository.js';
import type { PatStats } from '../pat/stats.js';
import { patStatus } from '../pat/status.js';
import { ADMIN_SCOPE } from '../scopes.js';
import type { UserRow } from '../users/repository.js';
import type { issuedPatSchema, patSchema, statsSchema, userSchema } from './response-schemas.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function presentPat(pat: PatRow, now: Date): z.output<typeof patSchema> {
  return {
    id: pat.id,
    user_id: pat.user_id,
    name: pat.name,
    hint: pat.hint,
    scopes: pat.scopes,
    status: patStatus(pat, now),
    created_at: pat.created_at.toISOString(),
    // Who minted it: an administrator's id on a person's PAT means someone else saw its secret.
    created_by: pat.created_by,
    expires_at: iso(pat.expires_at),
    last_used_at: iso(pat.last_used_at),
    last_used_ip: pat.last_used_ip,
    revoked_at: iso(pat.revoked_at),
    revoked_reason: pat.revoked_reason,
    revocation_kind: pat.revocation_kind,
    rotated_from: pat.rotated_from,
    allowed_cidrs: pat.allowed_cidrs,
    require_dpop: pat.require_dpop,
    last_used_ips: pat.last_used_ips.map((use) => ({ ip: use.ip, at: new Date(use.at).toISOString() })),
    may_act: pat.may_act,
  };
}

/** One page of PATs for a list query (a user's own, or an admin's view). */
export async function patPage(q: Queryable, filter: PatFilter) {
  return toPage(await listPats(q, filter), filter.limit, (pat) => presentPat(pat, filter.now));
}

/** The one response that carries the plaintext: create and rotate. */
export function presentIssuedPat(
  issued: { pat: PatRow; token: string },
  now: Date,
): z.output<typeof issuedPatSchema> {
  return { ...presentPat(issued.pat, now), token: issued.token };
}

export function presentUser(user: UserRow): z.output<typeof userSchema> {
  return {
    id: user.id,
    username: user.username,
    admin: user.entitlements.includes(ADMIN_SCOPE),
    service: user.service,
    entitlements: user.entitlements,
    disabled: user.disabled_at !== null,
    created_at: user.created_at.toISOString(),
    email: user.email ?? null,
  };
}

/** Field by field, so a number added to `PatStats` is sent only once it is described. */
export function presentStats(stats: PatStats): z.output<typeof statsSchema> {
  return {
    active_pats: stats.active_pats,
    users_with_active_pats: stats.users_with_active_pats,
    never_used_pats: stats.never_used_pats,
    expiring_within_7_days: stats.expiring_within_7_days,
    revoked_pats: stats.revoked_pats,
    expired_pats: stats.expired_pats,
    exchanges_24h_granted: stats.exchanges_24h_granted,
    exchanges_24h_denied: stats.exchanges_24h_denied,
    federated_exchanges_24h_granted: stats.federated_exchanges_24h_granted,
    federated_exchanges_24h_denied: stats.federated_exchanges_24h_denied,
  };
}
