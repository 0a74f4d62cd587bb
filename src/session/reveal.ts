/**
 * The render-once banner without a resubmittable POST (issue 18): a console POST that issues a
 * PAT holds its secret in a slot and answers 303 to a page that takes it, once. A reload (or
 * the back button) finds the slot gone and says so, instead of the browser re-posting the form
 * and minting a second token.
 *
 * Instances are stateless, so the slot is a database row; it never holds the plaintext: the
 * token is sealed with AES-256-GCM under a key derived (HKDF-SHA-256, the slot id as salt) from
 * the session's cookie secret, which only the browser holds (the database keeps its SHA-256).
 * The slot is bound to its session, lives at most 10 minutes, and is deleted as it is read.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/queryable.js';

export const REVEAL_TTL_MS = 10 * 60_000;
const INFO = 'tessera console token reveal';

/** What a slot holds: a PAT's secret, or a webhook endpoint's signing secret. */
export type RevealKind = 'pat' | 'webhook';

export interface HeldToken {
  /** The PAT's id (or, for kind 'webhook', the endpoint's). */
  patId: string;
  token: string;
  /** Where the banner's "back" link goes (a local path the server chose). */
  back: string;
}

const keyFor = (sessionSecret: string, slotId: string) =>
  Buffer.from(hkdfSync('sha256', sessionSecret, slotId, INFO, 32));

function seal(sessionSecret: string, slotId: string, token: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(sessionSecret, slotId), iv);
  cipher.setAAD(Buffer.from(slotId));
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function unseal(sessionSecret: string, slotId: string, sealed: Buffer): string | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(sessionSecret, slotId), sealed.subarray(0, 12));
    decipher.setAAD(Buffer.from(slotId));
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** Holds a new token for its one showing; returns the slot id (the page's address). */
export async function holdToken(
  q: Queryable,
  clock: Clock,
  session: { id: string; secret: string },
  held: HeldToken,
  kind: RevealKind = 'pat',
): Promise<string> {
  const id = randomUUID();
  const now = clock();
  await q.query('DELETE FROM console_token_reveals WHERE expires_at <= $1', [now]);
  await q.query(
    `INSERT INTO console_token_reveals (id, session_id, subject_id, back, sealed, expires_at, kind)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      id,
      session.id,
      held.patId,
      held.back,
      seal(session.secret, id, held.token),
      new Date(now.getTime() + REVEAL_TTL_MS),
      kind,
    ],
  );
  return id;
}

/** The held token, once: null when already shown, expired, or another session's. */
export async function takeToken(
  q: Queryable,
  clock: Clock,
  session: { id: string; secret: string },
  slotId: string,
  kind: RevealKind = 'pat',
): Promise<HeldToken | null> {
  const { rows } = await q.query<{ subject_id: string; back: string; sealed: Buffer; expires_at: Date }>(
    `DELETE FROM console_token_reveals WHERE id = $1 AND session_id = $2 AND kind = $3
     RETURNING subject_id, back, sealed, expires_at`,
    [slotId, session.id, kind],
  );
  const row = rows[0];
  if (!row || row.expires_at <= clock()) return null;
  const token = unseal(session.secret, slotId, Buffer.from(row.sealed));
  return token ? { patId: row.subject_id, token, back: row.back } : null;
}
