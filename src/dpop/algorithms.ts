/**
 * The JWS algorithms a DPoP proof may use (published as `dpop_signing_alg_values_supported`):
 * asymmetric only. RFC 9449 §4.2: "MUST NOT be `none` or an identifier for a symmetric
 * algorithm" (a MAC key in the header would let anyone sign).
 */
export const DPOP_SIGNING_ALGS = ['ES256', 'ES384', 'EdDSA', 'Ed25519', 'RS256', 'PS256'] as const;

/** RFC 9449 §4.2: the proof's `typ`. */
export const DPOP_PROOF_TYPE = 'dpop+jwt';

/** RFC 9449 §7.1: the authorization scheme of a DPoP-bound access token. */
export const DPOP_SCHEME = 'DPoP';

/**
 * RFC 7517 §7.1: JWK members that carry private or symmetric key material. A proof's header
 * `jwk` "MUST NOT contain a private key" (RFC 9449 §4.2).
 */
export const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
