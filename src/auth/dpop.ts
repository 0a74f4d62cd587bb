/**
 * `/api/v1` as a DPoP resource server (RFC 9449 §7): a token bound to a key (`cnf.jkt`) is
 * accepted only as `Authorization: DPoP <jwt>` with a proof for this very request (`htm`, `htu`,
 * `ath`, the bound key, a `jti` never seen by any instance); sent as `Bearer` it is refused
 * (§7.2), since a copied bearer string would otherwise be as good as the key.
 */
import type { Context } from 'koa';
import { DPOP_SIGNING_ALGS } from '../dpop/algorithms.js';
import { DpopProofError } from '../dpop/proof.js';
import type { DpopChecks } from '../dpop/service.js';

export type AuthScheme = 'bearer' | 'dpop';

/** RFC 6750 §2.1 and RFC 9449 §7.1: the scheme and the token of the Authorization header. */
export function authorizationCredentials(ctx: Context): { scheme: AuthScheme; token: string } | null {
  const match = /^(Bearer|DPoP) +([^\s]+) *$/i.exec(ctx.get('authorization'));
  if (!match) return null;
  return { scheme: (match[1] as string).toLowerCase() as AuthScheme, token: match[2] as string };
}

const CHALLENGE_STATE = 'wwwAuthenticate';

/** The `WWW-Authenticate` value the problem handler sends with this request's 401. */
export function setChallenge(ctx: Context, challenge: string) {
  ctx.state[CHALLENGE_STATE] = challenge;
}

/** §7.1 challenge with the error; the problem handler sends it instead of the Bearer one. */
export function setDpopChallenge(
  ctx: Context,
  error: 'invalid_token' | 'invalid_dpop_proof',
  description: string,
) {
  setChallenge(
    ctx,
    `DPoP error="${error}", error_description="${description}", algs="${DPOP_SIGNING_ALGS.join(' ')}"`,
  );
}

export const challengeOf = (ctx: Context): string | undefined =>
  ctx.state[CHALLENGE_STATE] as string | undefined;

/**
 * Whether the scheme and the token's binding agree and, for DPoP, the proof is good. Answers the
 * refusal's challenge description, or null when the request may go on.
 */
export async function dpopRefusal(
  checks: DpopChecks,
  ctx: Context,
  scheme: AuthScheme,
  token: string,
  jkt: string | undefined,
): Promise<string | null> {
  if (scheme === 'bearer') {
    if (!jkt) return null;
    setDpopChallenge(ctx, 'invalid_token', 'a DPoP-bound token must be sent with the DPoP scheme');
    return 'dpop-bound token sent as bearer';
  }
  if (!jkt) {
    setDpopChallenge(ctx, 'invalid_token', 'the token is not DPoP-bound');
    return 'unbound token sent with the DPoP scheme';
  }
  try {
    await checks.resourceRequest(
      { header: ctx.req.headers.dpop, method: ctx.method, path: ctx.path },
      token,
      jkt,
    );
    return null;
  } catch (error) {
    if (!(error instanceof DpopProofError)) throw error;
    setDpopChallenge(ctx, 'invalid_dpop_proof', 'the DPoP proof is invalid');
    return error.reason;
  }
}
