/**
 * Credentials that authenticate but that `/api/v1` does not take as presented (docs/dpop.md,
 * docs/delegation.md):
 * - a PAT with `require_dpop`: its owner asked that it only ever yield proof-of-possession
 *   tokens (RFC 9449), so it is good only for an exchange with a DPoP proof; taken as a bearer
 *   credential here, a copy of it could mint an unbound PAT or switch its own binding off. The
 *   same goes for an unbound JWT exchanged from it before the setting was made;
 * - a delegated JWT (`act`, RFC 8693 §4.1): with it an actor could create or rotate the
 *   subject's PATs and keep the subject's rights with no actor on record, the act stripping the
 *   token endpoint refuses. The API is the subject's own management plane; it is not delegated.
 * Each refusal is on the PAT's trail, a delegated one with its actor chain.
 */
import type { Context } from 'koa';
import type { AuditEvent } from '../audit/event.js';
import type { Caller } from './caller.js';
import { setChallenge, setDpopChallenge } from './dpop.js';

export const DPOP_REQUIRED = 'dpop_required';
export const DELEGATED_TOKEN_REFUSED = 'delegated_token_refused';

function refusalRow(ctx: Context, caller: Caller, at: Date, reason: string): AuditEvent {
  // The one acting: a Tessera user actor (no `iss`), else nobody we can name by user id.
  const actingUser = caller.act && !caller.act.iss ? caller.act.sub : caller.user.id;
  return {
    at,
    action: 'api.authenticated',
    outcome: 'failure',
    actorUserId: actingUser,
    subjectUserId: caller.user.id,
    patId: caller.patId,
    meta: { ip: ctx.ip || null, userAgent: ctx.get('user-agent') || null },
    reason,
    actorChain: caller.act ?? null,
  };
}

/** Why `caller` may not use `/api/v1` (setting the challenge), or null when it may. */
export function unfitForApi(ctx: Context, caller: Caller, at: Date): AuditEvent | null {
  if (caller.act) {
    setChallenge(
      ctx,
      'Bearer realm="tessera", error="invalid_token", error_description="delegated tokens (act) are not accepted here"',
    );
    return refusalRow(ctx, caller, at, DELEGATED_TOKEN_REFUSED);
  }
  // A PAT is never bound; a JWT is when it was exchanged with a proof (and then the DPoP checks
  // follow). An unbound JWT of a PAT now asking for DPoP is refused: setting it ends them at once.
  if (caller.requireDpop && !caller.jkt) {
    setDpopChallenge(ctx, 'invalid_token', 'this token requires DPoP: exchange it with a DPoP proof');
    return refusalRow(ctx, caller, at, DPOP_REQUIRED);
  }
  return null;
}
