/**
 * `GET /api/v1/admin/federation/refusals` (docs/design.md, "Federated refusals for admins"): recent
 * refused federated exchanges with the exact reason code and, for a token no policy accepted,
 * the closest policy and the claim that differed. Scope `tessera:admin`. The client that was
 * refused still got the one fixed description; this is where the cause is told.
 */
import { z } from 'zod';
import { listRefusals, type RefusalRow } from '../federation/refusal-trail.js';
import { ADMIN_SCOPE } from '../scopes.js';
import { operation } from './operation.js';
import * as out from './response-schemas.js';

const MAX_BIGINT = 9223372036854775807n;

/** A cursor is the last row's id in base64url; anything else is not one this server issued. */
function decodeRefusalCursor(cursor: string): bigint | null {
  const match = /^r([1-9]\d{0,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return null;
  const id = BigInt(match[1] as string);
  return id <= MAX_BIGINT ? id : null;
}

const encodeRefusalCursor = (id: string) => Buffer.from(`r${id}`).toString('base64url');

export const refusalsQuery = z.object({
  issuer: z.string().min(1).max(512).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z
    .string()
    .max(64)
    .transform((cursor, ctx) => {
      const id = decodeRefusalCursor(cursor);
      if (id === null) ctx.addIssue({ code: 'custom', message: 'not a cursor this server issued' });
      return id ?? z.NEVER;
    })
    .optional(),
});

export function presentRefusal(row: RefusalRow): z.output<typeof out.federationRefusalSchema> {
  return {
    id: row.id,
    time: row.last_at.toISOString(),
    first_time: row.first_at.toISOString(),
    count: row.count,
    reason: row.reason,
    iss: row.issuer,
    sub: row.external_sub,
    aud: row.external_aud,
    jti: row.external_jti,
    closest_policy: row.closest_policy_id
      ? {
          id: row.closest_policy_id,
          name: row.closest_policy_name,
          claim: row.claim ?? '',
          expected: row.expected,
          got: row.got,
        }
      : null,
  };
}

export const federationRefusalsOperation = operation({
  method: 'get',
  path: '/admin/federation/refusals',
  summary: 'Refused federated exchanges: the exact reason, the closest policy and the claim that differed',
  tag: 'trust-policies',
  scope: ADMIN_SCOPE,
  query: refusalsQuery,
  success: {
    status: 200,
    description: 'a page of refusals, newest first',
    schema: out.pageOf(out.federationRefusalSchema),
  },
  async handle(ctx, { query }, deps) {
    const rows = await listRefusals(deps.db, {
      issuer: query.issuer,
      since: query.since ? new Date(query.since) : undefined,
      limit: query.limit,
      before: query.cursor,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    ctx.body = {
      items: page.map(presentRefusal),
      next_cursor: rows.length > query.limit && last ? encodeRefusalCursor(last.id) : null,
    };
  },
});
