/** zod schemas shared by several routes. Route-specific ones sit at the top of each route file. */
import { z } from 'zod';
import type { KeysetPosition } from '../db/keyset.js';
import { mayActSchema } from '../delegation/may-act.js';
import { MAX_ALLOWED_CIDRS, parseCidr } from '../pat/address-allowlist.js';
import { patNameSchema, patScopesSchema } from '../pat/limits.js';
import type { PatFilter } from '../pat/repository.js';
import type { PatRequest } from '../pat/service.js';
import { PAT_STATUSES, type PatStatus } from '../pat/status.js';

export const patStatusSchema = z.enum(PAT_STATUSES);

/** Filters shared by a user's and an admin's token lists. */
export const patFilterQuery = {
  status: patStatusSchema.optional(),
  never_used: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  expiring_within_days: z.coerce.number().int().min(0).max(3650).optional(),
};

/** A PAT's `allowed_cidrs` in canonical form, deduplicated; the API and the console parse with it. */
export const allowedCidrsSchema = z
  .array(
    z
      .string()
      .max(64)
      .transform((text, ctx) => {
        const cidr = parseCidr(text);
        if (!cidr) ctx.addIssue({ code: 'custom', message: 'expected an IPv4 or IPv6 CIDR like 10.0.0.0/8' });
        return cidr ?? z.NEVER;
      }),
  )
  .max(MAX_ALLOWED_CIDRS)
  .transform((cidrs) => [...new Set(cidrs)]);

export const newPatBody = z.strictObject({
  name: patNameSchema,
  scopes: patScopesSchema,
  expires_in_days: z.int().positive().max(36500).nullable().optional(),
  /** IPv4/IPv6 networks the PAT may be used from; absent or null: anywhere. */
  allowed_cidrs: allowedCidrsSchema.nullable().optional(),
  /** Exchanges of the PAT need a DPoP proof (RFC 9449). */
  require_dpop: z.boolean().optional(),
  /** Who may act with it (RFC 8693 §4.4): users or trust policies, each with optional scopes. */
  may_act: mayActSchema.nullable().optional(),
});

/** A parsed `newPatBody` as the service's request (pat/service.ts), for `/tokens` and `/users/{id}/tokens`. */
export function patRequestOf(body: z.output<typeof newPatBody>): PatRequest {
  return {
    name: body.name,
    scopes: body.scopes,
    expiresInDays: body.expires_in_days,
    allowedCidrs: body.allowed_cidrs,
    mayAct: body.may_act,
    requireDpop: body.require_dpop,
  };
}

/** `PATCH /tokens/{id}`: the settings of a PAT that may change after creation. */
export const patchPatBody = z
  .strictObject({
    may_act: mayActSchema.nullable().optional(),
    /** Exchanges of the PAT need a DPoP proof (RFC 9449); false lifts it. */
    require_dpop: z.boolean().optional(),
  })
  .refine((body) => body.may_act !== undefined || body.require_dpop !== undefined, {
    message: 'give may_act or require_dpop',
  });

/** A parsed list query as the repository's filter. */
export function patFilterOf(
  query: {
    status?: PatStatus | undefined;
    never_used?: boolean | undefined;
    expiring_within_days?: number | undefined;
    limit: number;
    cursor?: KeysetPosition | undefined;
  },
  userId: string | undefined,
  now: Date,
): PatFilter {
  return {
    userId,
    status: query.status,
    neverUsed: query.never_used,
    expiringWithinDays: query.expiring_within_days,
    now,
    limit: query.limit,
    after: query.cursor ?? null,
  };
}
