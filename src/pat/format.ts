/**
 * The PAT wire format (pure; no I/O): `<prefix>_<random><checksum>`.
 *
 * - `random`: 30 base62 characters drawn uniformly from `crypto.randomBytes` (30 x log2(62)
 *   = 178 bits of entropy, above the 160 the design asks for);
 * - `checksum`: CRC32 of `<prefix>_<random>`, 6 base62 characters, zero-padded (GitHub's
 *   scheme). CRC32 catches every single-character change, so a mistyped or invented token is
 *   rejected without a database query, and secret scanners can tell real tokens from noise.
 *
 * What is stored and looked up is the SHA-256 of the whole token string.
 */
import { hash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const RANDOM_LENGTH = 30;
export const CHECKSUM_LENGTH = 6;
export const BODY_LENGTH = RANDOM_LENGTH + CHECKSUM_LENGTH;
const HINT_LENGTH = 4;

/** Uniform base62 characters: bytes >= 248 (= 4 x 62) are discarded to avoid modulo bias. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

function checksum(prefixAndRandom: string): string {
  let value = crc32(prefixAndRandom);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** A fresh token with the given prefix. */
export function generatePat(prefix: string): string {
  const head = `${prefix}_${randomBase62(RANDOM_LENGTH)}`;
  return head + checksum(head);
}

/**
 * True when `token` has the shape of a PAT with this prefix and its checksum matches.
 * Constant work for any input of the right length; no exception for any input.
 */
export function isWellFormedPat(prefix: string, token: unknown): token is string {
  if (typeof token !== 'string') return false;
  if (token.length !== prefix.length + 1 + BODY_LENGTH || !token.startsWith(`${prefix}_`)) return false;
  const body = token.slice(prefix.length + 1);
  if (!/^[0-9A-Za-z]+$/.test(body)) return false;
  const head = token.slice(0, token.length - CHECKSUM_LENGTH);
  return checksum(head) === token.slice(-CHECKSUM_LENGTH);
}

/** SHA-256 of the whole token: the only form in which a PAT reaches the database. */
export function hashPat(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

/** What people see to recognise a token: the prefix and the first 4 secret characters. */
export function patHint(prefix: string, token: string): string {
  return token.slice(0, prefix.length + 1 + HINT_LENGTH);
}

/** The regular expression secret scanners use to find this prefix's tokens in text. */
export function patScannerRegex(prefix: string): RegExp {
  return new RegExp(`\\b${prefix}_[0-9A-Za-z]{${BODY_LENGTH}}\\b`, 'g');
}
