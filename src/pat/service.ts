/**
 * The PAT lifecycle: create, rotate, revoke, restore, delete. Each change and its audit row
 * commit in one transaction. The plaintext token exists only in the value `createPat` and
 * `rotatePat` return, which the API puts in exactly one response.
 */
import { randomUUID } from 'node:crypto';
import type { Actor } from '../audit/actor.js';
import type { AuditAction, RequestMeta } from '../audit/event.js';
import { recordAudit } from '../audit/record.js';
import type { Clock } from '../clock.js';
import type { TokenPolicy } from '../config.js';
import type { Database, Queryable } from '../db/queryable.js';
import type { MayAct } from '../delegation/may-act.js';
import { assertMayActValid } from '../delegation/may-act-check.js';
import { describeMayAct } from '../delegation/may-act-text.js';
import { conflict, notFound } from '../errors.js';
import { findUserById, type UserRow } from '../users/repository.js';
import {
  assertNetworksWithinCredential,
  assertWithinCredential,
  networksWithinCredential,
} from './ceiling.js';
import { generatePat, hashPat, patHint } from './format.js';
import { leakedPatIds, redactPats } from './leak-scan.js';
import { assertEntitled, assertKnownScopes, expiryFor, expiryOnDate, rotatedExpiry } from './policy.js';
import {
  clearPatRevocation,
  deletePatRow,
  findPatById,
  insertPat,
  type PatRow,
  setPatMayAct,
  setPatRequireDpop,
} from './repository.js';
import { assertRestorable, LEAK_REASON, type RevocationKind } from './revocation.js';
import { revokePats } from './revoke.js';
import { assertMayRotate } from './rotation.js';
import { isActivePat, patStatus } from './status.js';

export interface PatContext {
  db: Database;
  clock: Clock;
  policy: TokenPolicy;
  /** The scope catalogue (name -> description). */
  scopes: Record<string, string>;
}

export interface PatRequest {
  name: string;
  scopes: string[];
  expiresInDays?: number | null | undefined;
  /** Expires at the end of this day (UTC, `YYYY-MM-DD`) instead; policy.ts `expiryOnDate` bounds it. */
  expiresOn?: string | undefined;
  /** Canonical CIDRs (address-allowlist.ts); null or absent: usable from anywhere. */
  allowedCidrs?: string[] | null | undefined;
  /** Who may act with it (RFC 8693 §4.4); null or absent: nobody. */
  mayAct?: MayAct | null | undefined;
  /** Exchanges need a DPoP proof. */
  requireDpop?: boolean | undefined;
}

export interface IssuedPat {
  pat: PatRow;
  /** The plaintext: return it in the response and drop it. */
  token: string;
}

/** Creates a PAT for `owner`; pass `tx` to make it part of a larger transaction. */
export async function createPat(
  ctx: PatContext,
  owner: UserRow,
  request: PatRequest,
  actor: Actor,
  tx?: Queryable,
) {
  assertKnownScopes(request.scopes, ctx.scopes);
  assertEntitled(request.scopes, owner.entitlements);
  assertWithinCredential(request.scopes, actor, owner.id);
  const allowedCidrs = networksWithinCredential(request.allowedCidrs, actor);
  const now = ctx.clock();
  const expiresAt =
    request.expiresOn === undefined
      ? expiryFor(ctx.policy, request.expiresInDays, now)
      : expiryOnDate(ctx.policy, request.expiresOn, now);
  const work = async (q: Queryable) => {
    const spec = {
      ...request,
      name: await scrubFreeText(q, ctx, request.name, actor.meta),
      userId: owner.id,
      createdAt: now,
      expiresAt,
      rotatedFrom: null,
      allowedCidrs,
      mayAct: request.mayAct?.length ? request.mayAct : null,
      requireDpop: request.requireDpop ?? false,
    };
    await assertMayActValid(q, spec.mayAct, request.scopes);
    const issued = await issuePat(q, ctx, spec, actor);
    await audit(
      q,
      ctx,
      'pat.created',
      issued.pat,
      actor,
      spec.mayAct ? describeMayAct(spec.mayAct) : undefined,
    );
    return issued;
  };
  return tx ? work(tx) : ctx.db.transaction(work);
}

async function issuePat(
  tx: Queryable,
  ctx: PatContext,
  spec: {
    userId: string;
    name: string;
    scopes: string[];
    createdAt: Date;
    expiresAt: Date | null;
    rotatedFrom: string | null;
    allowedCidrs: string[] | null;
    mayAct: MayAct | null;
    requireDpop: boolean;
  },
  actor: Actor,
): Promise<IssuedPat> {
  const token = generatePat(ctx.policy.prefix);
  const pat = await insertPat(tx, {
    id: randomUUID(),
    userId: spec.userId,
    name: spec.name,
    tokenHash: hashPat(token),
    hint: patHint(ctx.policy.prefix, token),
    scopes: spec.scopes,
    createdAt: spec.createdAt,
    createdBy: actor.userId,
    expiresAt: spec.expiresAt,
    rotatedFrom: spec.rotatedFrom,
    allowedCidrs: spec.allowedCidrs,
    mayAct: spec.mayAct,
    requireDpop: spec.requireDpop,
  });
  return { pat, token };
}

function audit(
  tx: Queryable,
  ctx: PatContext,
  action: AuditAction,
  pat: PatRow,
  actor: Actor,
  reason?: string,
) {
  return recordAudit(tx, {
    at: ctx.clock(),
    action,
    outcome: 'success',
    actorUserId: actor.userId,
    subjectUserId: pat.user_id,
    patId: pat.id,
    meta: actor.meta,
    reason: reason ?? null,
    token: { name: pat.name, hint: pat.hint },
    revocationKind: action === 'pat.revoked' ? pat.revocation_kind : null,
  });
}

/**
 * Loads a PAT for a change, locked until the transaction ends. `ownerId` restricts it to one
 * user's tokens: anyone else's id is answered exactly like an unknown id.
 */
async function lockPat(tx: Queryable, id: string, ownerId: string | null): Promise<PatRow> {
  const pat = await findPatById(tx, id, true);
  if (!pat || (ownerId !== null && pat.user_id !== ownerId)) throw notFound('token');
  return pat;
}

/** One PAT, visible to its owner (or to anyone when `ownerId` is null: admins). */
export async function getPat(ctx: PatContext, id: string, ownerId: string | null): Promise<PatRow> {
  const pat = await findPatById(ctx.db, id);
  if (!pat || (ownerId !== null && pat.user_id !== ownerId)) throw notFound('token');
  return pat;
}

/** New secret, same name, scopes, networks and expiry; the old secret is revoked. */
export function rotatePat(ctx: PatContext, id: string, ownerId: string | null, actor: Actor) {
  return ctx.db.transaction(async (tx) => {
    const old = await lockPat(tx, id, ownerId);
    const now = ctx.clock();
    if (!isActivePat(old, now)) throw conflict('token_not_active', 'only an active token can be rotated');
    const owner = await findUserById(tx, old.user_id);
    if (!owner) throw notFound('token');
    assertMayRotate(owner, actor.userId);
    // The new secret is returned to the caller: it must not be worth more than what they hold.
    assertWithinCredential(old.scopes, actor, old.user_id);
    assertNetworksWithinCredential(old.allowed_cidrs, actor);
    const issued = await issuePat(
      tx,
      ctx,
      {
        userId: old.user_id,
        name: old.name,
        scopes: old.scopes,
        createdAt: now,
        expiresAt: rotatedExpiry(ctx.policy, old, now),
        rotatedFrom: old.id,
        allowedCidrs: old.allowed_cidrs,
        mayAct: old.may_act,
        requireDpop: old.require_dpop,
      },
      actor,
    );
    const rotation = {
      at: now,
      kind: 'rotation' as const,
      reason: 'rotated',
      action: 'pat.rotated' as const,
    };
    await revokePats(tx, { id: old.id }, { ...rotation, auditReason: `replaced by ${issued.pat.id}` }, actor);
    await audit(tx, ctx, 'pat.created', issued.pat, actor, `rotated from ${old.id}`);
    return issued;
  });
}

/** The settings of a PAT that may change after creation (`PATCH /api/v1/tokens/{id}`). */
export interface PatSettingsChange {
  /** Who may act with it (null or empty: nobody). Absent: unchanged. */
  mayAct?: MayAct | null | undefined;
  /** Its exchanges need a DPoP proof (RFC 9449). Absent: unchanged. */
  requireDpop?: boolean | undefined;
}

/** The change in words for the `pat.updated` row (ids, never secrets). */
function describeChange(change: PatSettingsChange, mayAct: MayAct | null): string {
  const parts: string[] = [];
  if (change.mayAct !== undefined) parts.push(describeMayAct(mayAct));
  if (change.requireDpop !== undefined) parts.push(`require_dpop: ${change.requireDpop}`);
  return parts.join('; ');
}

/**
 * Changes a PAT's settings in one transaction and one audit row. Letting others act with it, or
 * dropping its DPoP binding, is worth what the PAT holds, so the presenting credential must hold
 * the PAT's scopes, as for a rotation.
 */
export function updatePatSettings(
  ctx: PatContext,
  id: string,
  ownerId: string | null,
  change: PatSettingsChange,
  actor: Actor,
) {
  return ctx.db.transaction(async (tx) => {
    let pat = await lockPat(tx, id, ownerId);
    assertWithinCredential(pat.scopes, actor, pat.user_id);
    const mayAct = change.mayAct?.length ? change.mayAct : null;
    if (change.mayAct !== undefined) {
      await assertMayActValid(tx, mayAct, pat.scopes);
      pat = await setPatMayAct(tx, pat.id, mayAct);
    }
    if (change.requireDpop !== undefined) pat = await setPatRequireDpop(tx, pat.id, change.requireDpop);
    await audit(tx, ctx, 'pat.updated', pat, actor, describeChange(change, mayAct));
    return pat;
  });
}

/** Sets who may act with a PAT (null: nobody). */
export function setMayAct(
  ctx: PatContext,
  id: string,
  ownerId: string | null,
  mayAct: MayAct | null,
  actor: Actor,
) {
  return updatePatSettings(ctx, id, ownerId, { mayAct }, actor);
}

/** Revokes a PAT; revoking an already revoked one changes nothing and succeeds. */
export function revokePat(
  ctx: PatContext,
  id: string,
  ownerId: string | null,
  actor: Actor,
  why: { kind: RevocationKind; reason: string } = { kind: 'owner', reason: 'revoked' },
) {
  return ctx.db.transaction(async (tx) => {
    // First, so that a reason naming this very PAT leaves it revoked as leaked (final).
    const reason = await scrubFreeText(tx, ctx, why.reason, actor.meta);
    return revokeIn(tx, ctx, id, ownerId, actor, { ...why, reason });
  });
}

async function revokeIn(
  tx: Queryable,
  ctx: PatContext,
  id: string,
  ownerId: string | null,
  actor: Actor,
  why: { kind: RevocationKind; reason: string },
) {
  const pat = await lockPat(tx, id, ownerId);
  if (pat.revoked_at) return pat;
  const [revoked] = await revokePats(tx, { id: pat.id }, { at: ctx.clock(), ...why }, actor);
  return revoked as PatRow;
}

/**
 * Free text as it may be stored: any PAT in it redacted, and each PAT it names revoked as
 * leaked by the system (leak-scan.ts), in the caller's transaction.
 */
/**
 * Free text a person writes outside a PAT's own fields (a webhook endpoint's description): any PAT
 * in it becomes `[redacted]` and the PAT it names is revoked as leaked, as for names and reasons.
 */
export function scrubLeakedText(ctx: PatContext, text: string, meta: RequestMeta): Promise<string> {
  return ctx.db.transaction((tx) => scrubFreeText(tx, ctx, text, meta));
}

async function scrubFreeText(tx: Queryable, ctx: PatContext, text: string, meta: RequestMeta) {
  const { text: clean, tokens } = redactPats(ctx.policy.prefix, text);
  const system: Actor = { userId: null, credentialScopes: null, meta };
  for (const id of await leakedPatIds(tx, tokens)) {
    await revokeIn(tx, ctx, id, null, system, { kind: 'leak', reason: LEAK_REASON });
  }
  return clean;
}

/** Undoes a revocation, for a token that is revoked, unexpired, and whose revocation the actor may undo. */
export function restorePat(ctx: PatContext, id: string, ownerId: string | null, actor: Actor) {
  return ctx.db.transaction(async (tx) => {
    const pat = await lockPat(tx, id, ownerId);
    if (!pat.revoked_at) throw conflict('token_not_revoked', 'only a revoked token can be restored');
    // Revoked comes first in patStatus: ask whether it would be expired once the revocation is undone.
    if (patStatus({ ...pat, revoked_at: null }, ctx.clock()) === 'expired') {
      throw conflict('token_expired', 'an expired token cannot be restored');
    }
    assertRestorable(pat.revocation_kind, actor.credentialScopes);
    const restored = (await clearPatRevocation(tx, pat.id)) as PatRow;
    await audit(tx, ctx, 'pat.restored', restored, actor);
    return restored;
  });
}

/** Deletes a revoked or expired PAT (its audit history stays). */
export function deletePat(ctx: PatContext, id: string, ownerId: string | null, actor: Actor) {
  return ctx.db.transaction(async (tx) => {
    const pat = await lockPat(tx, id, ownerId);
    if (isActivePat(pat, ctx.clock())) {
      throw conflict('token_active', 'revoke the token before deleting it');
    }
    await deletePatRow(tx, pat.id);
    await audit(tx, ctx, 'pat.deleted', pat, actor);
  });
}
