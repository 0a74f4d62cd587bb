import { z } from 'zod';
import type { Queryable } from '../db/queryable.js';
import { findUserByIdIncludingDeleted, findUserByUsername } from './repository.js';

/**
 * A user named in a filter (`user=` on the admin token lists of the API and the console): by id,
 * deleted ones too (their tokens' history stays), or by live username; null when it names nobody.
 */
export async function resolveUserId(q: Queryable, user: string): Promise<string | null> {
  const byId = z.uuid().safeParse(user).success ? await findUserByIdIncludingDeleted(q, user) : null;
  return (byId ?? (await findUserByUsername(q, user)))?.id ?? null;
}
