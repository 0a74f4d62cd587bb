/**
 * The signature algorithms an external token may use: asymmetric only. A symmetric (HS*)
 * token would be verified with a key the issuer publishes, i.e. one anyone can sign with, and
 * `none` is no signature at all (RFC 8725 §2.1, §3.1).
 */
export const FEDERATED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export function isFederatedAlgorithm(alg: unknown): boolean {
  return typeof alg === 'string' && (FEDERATED_ALGORITHMS as readonly string[]).includes(alg);
}
