/**
 * `tessera/verify` inside this repository: the verifier is its own package,
 * `tessera-jwt-verify` (packages/verify), which downstream services install from the registry.
 */
export * from 'tessera-jwt-verify';
