/**
 * DPoP at the token endpoint (RFC 9449 §5): the proof a `/token` request carries, as the grant
 * needs it, with refusals in the grant's own typed shape. oidc-provider's own DPoP support is
 * not used: it hands its checks (`validateDpop`, `applyDpopBinding`) only to its built-in grants,
 * a grant registered with `registerGrantType` receives `ctx` alone and there is no
 * `ctx.oidc.dpop`; its replay check goes through the adapter's `ReplayDetection` and its `iat`
 * window is a fixed 300 s. The binding is the issued JWT's `cnf.jkt` claim (RFC 9449 §6.1),
 * written where the JWT is signed (exchange/jwt.ts).
 */
import { errors } from 'oidc-provider';
import { ExchangeDenied } from '../exchange/denial.js';
import { DpopProofError, type VerifiedProof } from './proof.js';
import type { DpopChecks, DpopRequest } from './service.js';

/** RFC 9449 §8: the header a nonce is sent in. */
export const DPOP_NONCE_HEADER = 'DPoP-Nonce';

const INVALID_PROOF = 'the DPoP proof is invalid';

export const missingProof = (reason: string) =>
  new ExchangeDenied(new errors.InvalidDpopProof('a DPoP proof is required'), reason);

/** The token request's DPoP header, method and path, and how to send a nonce back (§8). */
export interface TokenDpopRequest extends DpopRequest {
  sendNonce(nonce: string): void;
}

function denial(request: TokenDpopRequest, error: DpopProofError): ExchangeDenied {
  if (error.code === 'use_dpop_nonce' && error.nonce) {
    request.sendNonce(error.nonce);
    return new ExchangeDenied(
      new errors.UseDpopNonce('use the DPoP nonce the server provided'),
      `dpop: ${error.reason}`,
    );
  }
  return new ExchangeDenied(new errors.InvalidDpopProof(INVALID_PROOF), `dpop: ${error.reason}`);
}

/** The request's verified proof, or null without one. Throws `ExchangeDenied`. */
export async function tokenRequestProof(
  checks: Pick<DpopChecks, 'tokenRequest'>,
  request: TokenDpopRequest,
): Promise<VerifiedProof | null> {
  try {
    return await checks.tokenRequest(request);
  } catch (error) {
    if (error instanceof DpopProofError) throw denial(request, error);
    throw error;
  }
}
