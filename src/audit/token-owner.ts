/** The owner of a token as notices and webhook payloads name them (deleted users included). */
import type { Queryable } from '../db/queryable.js';
import type { TokenOwner } from './email-notice.js';

export async function findTokenOwner(q: Queryable, userId: string): Promise<TokenOwner | null> {
  const { rows } = await q.query<TokenOwner>('SELECT id, username, email FROM users WHERE id = $1', [userId]);
  return rows[0] ?? null;
}
