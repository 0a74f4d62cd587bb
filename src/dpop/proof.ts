/**
 * DPoP proof validation, RFC 9449 §4.3, as one function of the proof and what the request it
 * came with says: no database, no clock of its own. Replay (§11.1) and nonces (§8) are the
 * caller's next steps (service.ts), because they need shared state.
 */
import { hash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, type JWK, jwtVerify } from 'jose';
import { DPOP_PROOF_TYPE, DPOP_SIGNING_ALGS, PRIVATE_JWK_MEMBERS } from './algorithms.js';
import { htuMatches } from './htu.js';

/**
 * A refused proof. `code` is what the client gets (RFC 9449 §5, §8, §12.2); `reason` is for the
 * log and the audit trail only. `nonce`, with `use_dpop_nonce`, goes out as `DPoP-Nonce`.
 */
export class DpopProofError extends Error {
  override name = 'DpopProofError';
  constructor(
    readonly reason: string,
    readonly code: 'invalid_dpop_proof' | 'use_dpop_nonce' = 'invalid_dpop_proof',
    readonly nonce?: string,
  ) {
    super(reason);
  }
}

export interface ProofExpectation {
  /** The request's method (§4.3 item 8: `htm`). */
  method: string;
  /** The request's URL, built from the issuer (htu.ts). */
  url: string;
  now: Date;
  /** §11.1: how far `iat` may be from `now`, either way. */
  iatSkewSeconds: number;
  /** The access token sent with the proof, at a resource (§4.3 item 12: `ath`). */
  accessToken?: string | undefined;
}

export interface VerifiedProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key: what `cnf.jkt` binds a token to (§6.1). */
  jkt: string;
  jti: string;
  iat: number;
  nonce: string | undefined;
}

/** §4.2: `ath` is the base64url SHA-256 of the ASCII access token. */
export const accessTokenHash = (accessToken: string): string => hash('sha256', accessToken, 'base64url');

/** At most this long (a UUID is 36): a `jti` is stored for replay detection. */
const MAX_JTI_LENGTH = 256;

/** §4.3 item 1: exactly one `DPoP` header. Node joins repeated unknown headers with ", ". */
export function singleProof(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  if (Array.isArray(header) || header.includes(',')) throw new DpopProofError('more than one DPoP header');
  return header;
}

/** §4.3 items 2-5 before any key is imported: the header's shape, and no private key material. */
function checkHeader(proof: string): JWK {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw new DpopProofError('not a JWS');
  }
  if (header.typ !== DPOP_PROOF_TYPE) throw new DpopProofError('typ is not dpop+jwt');
  if (!(DPOP_SIGNING_ALGS as readonly unknown[]).includes(header.alg)) {
    throw new DpopProofError(`alg ${String(header.alg)} is not an accepted asymmetric algorithm`);
  }
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null) throw new DpopProofError('no jwk in the header');
  if (PRIVATE_JWK_MEMBERS.some((member) => member in jwk)) {
    throw new DpopProofError('the header jwk holds private key material');
  }
  return jwk;
}

async function verifySignature(proof: string, now: Date) {
  try {
    // EmbeddedJWK: the signature must verify with the header's own (public) key, §4.3 item 6.
    return await jwtVerify(proof, EmbeddedJWK, {
      typ: DPOP_PROOF_TYPE,
      algorithms: [...DPOP_SIGNING_ALGS],
      currentDate: now,
    });
  } catch (error) {
    throw new DpopProofError(`signature: ${(error as Error).message}`);
  }
}

function checkClaims(payload: Record<string, unknown>, expect: ProofExpectation) {
  const { jti, iat, htm, htu, nonce } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
    throw new DpopProofError('jti missing or too long');
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new DpopProofError('iat missing');
  if (htm !== expect.method) throw new DpopProofError('htm does not match the request method');
  if (!htuMatches(htu, expect.url)) throw new DpopProofError('htu does not match the request URL');
  if (Math.abs(expect.now.getTime() / 1000 - iat) > expect.iatSkewSeconds) {
    throw new DpopProofError('iat outside the accepted window');
  }
  if (nonce !== undefined && typeof nonce !== 'string') throw new DpopProofError('nonce is not a string');
  if (expect.accessToken !== undefined && payload.ath !== accessTokenHash(expect.accessToken)) {
    throw new DpopProofError('ath does not match the access token');
  }
  return { jti, iat, nonce };
}

/** Every check of §4.3 that needs no shared state. Throws `DpopProofError`. */
export async function verifyProof(proof: string, expect: ProofExpectation): Promise<VerifiedProof> {
  const jwk = checkHeader(proof);
  const { payload } = await verifySignature(proof, expect.now);
  const claims = checkClaims(payload, expect);
  return { jkt: await calculateJwkThumbprint(jwk, 'sha256'), ...claims };
}
