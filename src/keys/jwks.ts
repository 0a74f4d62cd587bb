import type { JWK } from 'jose';
import type { KeyRecord } from './key-file.js';

/** RFC 7517/7518 private members: never published. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export function publicJwk(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  return copy as JWK;
}

/** The public JWK set of these keys. */
export function publicJwks(keys: KeyRecord[]): { keys: JWK[] } {
  return { keys: keys.map((key) => publicJwk(key.jwk)) };
}
