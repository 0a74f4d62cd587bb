/**
 * Break-glass: an administrator locked out (last admin token revoked or expired, the admin
 * disabled) gets a fresh admin PAT from someone who can reach the database, with no HTTP and no
 * token, as Keycloak's `bootstrap-admin` and GitLab's rails console allow. Database access
 * already grants everything, so this adds no power; it makes the way back audited and safe.
 */
import { hostname, userInfo } from 'node:os';
import { recordAudit } from '../audit/record.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database, Queryable } from '../db/queryable.js';
import { conflict, notFound } from '../errors.js';
import { createPat } from '../pat/service.js';
import { ADMIN_SCOPE } from '../scopes.js';
import { findUserByUsername, setUserDisabled, type UserRow } from './repository.js';

export interface RecoveryRequest {
  username: string;
  /** Short by default: the token is for getting back in and minting a proper one. */
  expiresInDays: number;
  /** Called inside the transaction with the plaintext: a failed hand-over rolls everything back. */
  handOver: (token: string) => Promise<void>;
  /** Recorded in the audit row (where the token went); never the token. */
  destination: string;
}

export interface Recovery {
  user: UserRow;
  patId: string;
  expiresAt: Date | null;
  reEnabled: boolean;
}

/** Who ran it, for the audit trail: the OS account and host (there is no Tessera caller). */
const operator = () => `${userInfo().username}@${hostname()}`;

async function reEnable(tx: Queryable, user: UserRow, clock: Clock, userAgent: string): Promise<boolean> {
  if (!user.disabled_at) return false;
  await setUserDisabled(tx, user.id, null);
  await recordAudit(tx, {
    at: clock(),
    action: 'user.enabled',
    outcome: 'success',
    subjectUserId: user.id,
    meta: { ip: null, userAgent },
    reason: 'break-glass recovery',
  });
  return true;
}

export function recoverAdmin(
  deps: { db: Database; clock: Clock; config: Config; userAgent: string },
  request: RecoveryRequest,
): Promise<Recovery> {
  const { db, clock, config, userAgent } = deps;
  return db.transaction(async (tx) => {
    const user = await findUserByUsername(tx, request.username);
    if (!user) throw notFound('user');
    if (!user.entitlements.includes(ADMIN_SCOPE)) {
      throw conflict('not_an_administrator', `${user.username} does not hold ${ADMIN_SCOPE}`);
    }
    const reEnabled = await reEnable(tx, user, clock, userAgent);
    // The operator at the database is the system itself: bounded by the entitlements only.
    const actor = { userId: null, meta: { ip: null, userAgent }, credentialScopes: null };
    const name = `break-glass ${clock().toISOString().slice(0, 16)}`;
    const pats = { db, clock, policy: config.tokens, scopes: config.scopes };
    const request_ = { name, scopes: user.entitlements, expiresInDays: request.expiresInDays };
    const issued = await createPat(pats, user, request_, actor, tx);
    await recordAudit(tx, {
      at: clock(),
      action: 'admin.recovered',
      outcome: 'success',
      subjectUserId: user.id,
      patId: issued.pat.id,
      meta: actor.meta,
      reason: `by ${operator()}; token ${request.destination}`,
    });
    await request.handOver(issued.token);
    return { user, patId: issued.pat.id, expiresAt: issued.pat.expires_at, reEnabled };
  });
}
