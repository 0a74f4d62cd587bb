/**
 * The checks a PAT's `may_act` passes before it is stored (create, PATCH, console, CLI): every
 * entry names a live user or an existing trust policy, and lists only scopes the PAT carries
 * (an entry can narrow what an actor gets, never widen it, so a wider one is a mistake to say).
 */
import type { Queryable } from '../db/queryable.js';
import { type FieldError, invalidRequest } from '../errors.js';
import { scopesOutside } from '../scopes.js';
import type { MayAct } from './may-act.js';

async function existingIds(q: Queryable, mayAct: MayAct) {
  const userIds = mayAct.flatMap((e) => ('user_id' in e ? [e.user_id] : []));
  const policyIds = mayAct.flatMap((e) => ('trust_policy_id' in e ? [e.trust_policy_id] : []));
  const { rows } = await q.query<{ id: string }>(
    `SELECT id FROM users WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL
     UNION ALL SELECT id FROM trust_policies WHERE id = ANY($2::uuid[])`,
    [userIds, policyIds],
  );
  return new Set(rows.map((r) => r.id));
}

/** 400 `invalid_request` naming each bad entry; `field` is where the list sits in the body. */
export async function assertMayActValid(
  q: Queryable,
  mayAct: MayAct | null | undefined,
  patScopes: readonly string[],
  field = 'may_act',
): Promise<void> {
  if (!mayAct || mayAct.length === 0) return;
  const known = await existingIds(q, mayAct);
  const errors: FieldError[] = [];
  mayAct.forEach((entry, i) => {
    const id = 'user_id' in entry ? entry.user_id : entry.trust_policy_id;
    if (!known.has(id)) {
      const what = 'user_id' in entry ? 'user' : 'trust policy';
      errors.push({ field: `${field}[${i}]`, message: `no such ${what}: ${id}` });
    }
    const outside = scopesOutside(entry.scopes ?? [], patScopes);
    if (outside.length > 0) {
      errors.push({
        field: `${field}[${i}].scopes`,
        message: `not scopes of this token: ${outside.join(', ')}`,
      });
    }
  });
  if (errors.length > 0) throw invalidRequest(errors);
}
