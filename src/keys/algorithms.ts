/**
 * The JWS algorithms Tessera signs with (`signing.alg`), and so the only ones a JWT it verifies
 * may name: ES256 (the default), EdDSA (Ed25519) and RS256, for verifiers that know nothing else.
 */
export const SIGNING_ALGS = ['ES256', 'EdDSA', 'RS256'] as const;

export type SigningAlg = (typeof SIGNING_ALGS)[number];
