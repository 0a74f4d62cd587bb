/**
 * Names for the ids a page would otherwise show (issue 22: "the username, not a uuid, everywhere
 * in the console"): users by username (deleted ones too: history names them), trust policies by
 * name, and tokens by name, but only tokens of `patOwner`, so a page never names another user's token.
 */
import type { Queryable } from '../db/queryable.js';
import type { Named } from './event-text.js';

export async function namesOf(q: Queryable, ids: string[], patOwner: string): Promise<Map<string, Named>> {
  const unique = [...new Set(ids.map((id) => id.toLowerCase()))].filter((id) => /^[0-9a-f-]{36}$/.test(id));
  const names = new Map<string, Named>();
  if (unique.length === 0) return names;
  const { rows } = await q.query<{ id: string; name: string; kind: Named['kind'] }>(
    `SELECT id::text, username AS name, 'user' AS kind FROM users WHERE id = ANY($1::uuid[])
     UNION ALL SELECT id::text, name, 'trust_policy' FROM trust_policies WHERE id = ANY($1::uuid[])
     UNION ALL SELECT id::text, name, 'pat' FROM pats WHERE id = ANY($1::uuid[]) AND user_id = $2`,
    [unique, patOwner],
  );
  for (const row of rows) names.set(row.id, { name: row.name, kind: row.kind });
  return names;
}
