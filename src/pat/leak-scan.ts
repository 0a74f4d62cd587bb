/**
 * Free text people write (token names, revocation reasons) is scanned for PATs before it is
 * stored (issue 18). A token pasted into a name would otherwise sit in the database, the audit
 * trail's presentations, the console and every API listing. As GitHub does with a token pushed
 * to a public repository, the token is replaced by `[redacted]` and the PAT it names is revoked
 * as leaked (final, and a `token.leaked` webhook).
 *
 * Anything of the token's shape is redacted, checksum or not: a copy with one character wrong
 * still gives away all but one character of a real secret, and nothing legitimate looks like
 * `<prefix>_` followed by 36 letters and digits. Only a token whose checksum holds is looked up
 * (and revoked): the rest names no PAT, and looking it up would make this an oracle.
 */
import type { Queryable } from '../db/queryable.js';
import { BODY_LENGTH, hashPat, isWellFormedPat } from './format.js';
import { findPatIdByHash } from './repository.js';

export const REDACTED = '[redacted]';

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `text` with every token-shaped run replaced by `[redacted]`, and the real (checksum-valid)
 * tokens it held. Pure. No word boundary is required: a token glued to other text still leaks.
 */
export function redactPats(prefix: string, text: string): { text: string; tokens: string[] } {
  const shape = new RegExp(`${escapeRegex(prefix)}_[0-9A-Za-z]{${BODY_LENGTH}}`, 'g');
  const tokens: string[] = [];
  const redacted = text.replace(shape, (match) => {
    if (isWellFormedPat(prefix, match)) tokens.push(match);
    return REDACTED;
  });
  return { text: redacted, tokens: [...new Set(tokens)] };
}

/** The ids of the PATs the real tokens in `text` name (none for tokens that name no PAT). */
export async function leakedPatIds(q: Queryable, tokens: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const token of tokens) {
    const id = await findPatIdByHash(q, hashPat(token));
    if (id) ids.push(id);
  }
  return ids;
}
