/**
 * Trust policy changes: create, update, delete. Each is checked against the rules that need
 * the database and config (the target user's entitlements, the configured resources) and
 * commits in one transaction with its audit row.
 */
import { randomUUID } from 'node:crypto';
import type { Actor } from '../audit/actor.js';
import type { AuditAction } from '../audit/event.js';
import { recordAudit } from '../audit/record.js';
import type { Clock } from '../clock.js';
import type { Resource } from '../config.js';
import type { Database, Queryable } from '../db/queryable.js';
import { ApiProblem, type FieldError, invalidRequest, notFound } from '../errors.js';
import { findUserById } from '../users/repository.js';
import {
  constraintProblems,
  hasConditions,
  issuerProblem,
  RESERVED_CLAIMS,
  type TrustPolicy,
} from './policy.js';
import {
  deleteTrustPolicy,
  findTrustPolicy,
  insertTrustPolicy,
  type PolicyFields,
  updateTrustPolicy,
} from './repository.js';

export interface TrustPolicyContext {
  db: Database;
  clock: Clock;
  scopes: Record<string, string>;
  resources: Resource[];
  /** Tessera's own issuer: a policy may not trust it. */
  issuer: string;
}

const nameTaken = () =>
  new ApiProblem(409, 'trust_policy_name_taken', 'Conflict', 'that policy name is taken');

/** Field errors of the rules beyond the body's shape; empty when the policy may be stored. */
async function policyErrors(
  ctx: TrustPolicyContext,
  q: Queryable,
  policy: PolicyFields,
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const issuer = issuerProblem(policy.issuer);
  if (issuer) errors.push({ field: 'issuer', message: issuer });
  errors.push(...constraintProblems(policy, ctx.issuer));
  if (!hasConditions(policy)) {
    errors.push({ field: 'subject', message: 'a policy needs a subject or at least one claim condition' });
  }
  for (const name of Object.keys(policy.claims)) {
    if ((RESERVED_CLAIMS as readonly string[]).includes(name)) {
      errors.push({ field: `claims.${name}`, message: 'checked for every token; use subject or audience' });
    }
  }
  policy.audiences.forEach((audience, i) => {
    if (!ctx.resources.some((r) => r.audience === audience)) {
      errors.push({ field: `audiences[${i}]`, message: 'names no configured resource' });
    }
  });
  const user = await findUserById(q, policy.user_id);
  if (!user) return [...errors, { field: 'user_id', message: 'no such user' }];
  policy.scopes.forEach((scope, i) => {
    if (!Object.hasOwn(ctx.scopes, scope))
      errors.push({ field: `scopes[${i}]`, message: `unknown scope "${scope}"` });
    else if (!user.entitlements.includes(scope)) {
      errors.push({ field: `scopes[${i}]`, message: `"${scope}" is not among the user's entitlements` });
    }
  });
  return errors;
}

async function audit(q: Queryable, at: Date, action: AuditAction, policy: TrustPolicy, actor: Actor) {
  await recordAudit(q, {
    at,
    action,
    outcome: 'success',
    actorUserId: actor.userId,
    subjectUserId: policy.user_id,
    meta: actor.meta,
    federation: { exchange: false, trustPolicyId: policy.id, issuer: policy.issuer },
  });
}

export function createTrustPolicy(ctx: TrustPolicyContext, fields: PolicyFields, actor: Actor) {
  return ctx.db.transaction(async (tx) => {
    const errors = await policyErrors(ctx, tx, fields);
    if (errors.length > 0) throw invalidRequest(errors);
    const now = ctx.clock();
    const policy = await insertTrustPolicy(tx, {
      ...fields,
      id: randomUUID(),
      created_at: now,
      created_by: actor.userId,
    });
    if (!policy) throw nameTaken();
    await audit(tx, now, 'trust_policy.created', policy, actor);
    return policy;
  });
}

/** Applies `change` to the stored policy; the result must pass the same rules as a new one. */
export function changeTrustPolicy(
  ctx: TrustPolicyContext,
  id: string,
  change: Partial<PolicyFields>,
  actor: Actor,
) {
  return ctx.db.transaction(async (tx) => {
    const current = await findTrustPolicy(tx, id, true);
    if (!current) throw notFound('trust policy');
    const fields: PolicyFields = { ...current, ...change };
    const errors = await policyErrors(ctx, tx, fields);
    if (errors.length > 0) throw invalidRequest(errors);
    const now = ctx.clock();
    const conflicting = await tx.query('SELECT 1 FROM trust_policies WHERE name = $1 AND id <> $2', [
      fields.name,
      id,
    ]);
    if (conflicting.rowCount > 0) throw nameTaken();
    const policy = (await updateTrustPolicy(tx, id, fields, now)) as TrustPolicy;
    await audit(tx, now, 'trust_policy.updated', policy, actor);
    return policy;
  });
}

/** Deletes a policy: the next exchange it would have accepted is refused. Its history stays. */
export function removeTrustPolicy(ctx: TrustPolicyContext, id: string, actor: Actor) {
  return ctx.db.transaction(async (tx) => {
    const current = await findTrustPolicy(tx, id, true);
    if (!current || !(await deleteTrustPolicy(tx, id))) throw notFound('trust policy');
    await audit(tx, ctx.clock(), 'trust_policy.deleted', current, actor);
  });
}
