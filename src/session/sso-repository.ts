/** SQL for SSO: pending sign-ins (consumed once) and users linked to the IdP by (iss, sub). */
import type { Queryable } from '../db/queryable.js';

export interface PendingSignIn {
  code_verifier: string;
  nonce: string;
  return_to: string;
}

/** Pending sign-ins one client address may hold: its newest ones; older ones can no longer finish. */
export const PENDING_PER_ADDRESS = 10;

export async function insertPendingSignIn(
  q: Queryable,
  row: PendingSignIn & { stateHash: Buffer; createdAt: Date; address: string },
): Promise<void> {
  await q.query(
    `INSERT INTO console_sign_ins (state_hash, code_verifier, nonce, return_to, created_at, address) VALUES ($1, $2, $3, $4, $5, $6)`,
    [row.stateHash, row.code_verifier, row.nonce, row.return_to, row.createdAt, row.address],
  );
  await q.query(
    `DELETE FROM console_sign_ins WHERE address = $1 AND state_hash NOT IN
       (SELECT state_hash FROM console_sign_ins WHERE address = $1 ORDER BY created_at DESC, state_hash LIMIT $2)`,
    [row.address, PENDING_PER_ADDRESS],
  );
}

/**
 * Deletes sign-ins started before `before`: they can no longer finish. Run at every start, so
 * the table holds at most one sign-in window of traffic however often `/console/sso` is hit.
 */
export async function sweepPendingSignIns(q: Queryable, before: Date): Promise<void> {
  await q.query('DELETE FROM console_sign_ins WHERE created_at < $1', [before]);
}

/**
 * Takes a pending sign-in exactly once, if it was started after `notBefore`: a replayed callback
 * finds nothing, also on another instance.
 */
export async function consumePendingSignIn(
  q: Queryable,
  stateHash: Buffer,
  now: Date,
  notBefore: Date,
): Promise<PendingSignIn | null> {
  const { rows } = await q.query<PendingSignIn>(
    `UPDATE console_sign_ins SET consumed_at = $2
     WHERE state_hash = $1 AND consumed_at IS NULL AND created_at > $3
     RETURNING code_verifier, nonce, return_to`,
    [stateHash, now, notBefore],
  );
  return rows[0] ?? null;
}

export async function findLinkedUserId(
  q: Queryable,
  issuer: string,
  subject: string,
): Promise<string | null> {
  const { rows } = await q.query<{ user_id: string }>(
    'SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2',
    [issuer, subject],
  );
  return rows[0]?.user_id ?? null;
}

export async function linkIdentity(
  q: Queryable,
  link: { issuer: string; subject: string; userId: string; at: Date },
) {
  await q.query(
    'INSERT INTO user_identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)',
    [link.issuer, link.subject, link.userId, link.at],
  );
}
