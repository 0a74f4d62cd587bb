import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  CHECKSUM_LENGTH,
  generatePat,
  hashPat,
  isWellFormedPat,
  patHint,
  patScannerRegex,
  RANDOM_LENGTH,
} from '../../../src/pat/format.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PREFIX = 'tsr';

/** The part after `<prefix>_`. */
const bodyOf = (token: string, prefix = PREFIX) => token.slice(prefix.length + 1);

describe('generatePat', () => {
  it('is <prefix>_ followed by 36 base62 characters', () => {
    for (const prefix of ['tsr', 'ab', 'acme2024xy']) {
      for (let i = 0; i < 50; i++) {
        const token = generatePat(prefix);
        expect(token).toMatch(new RegExp(`^${prefix}_[0-9A-Za-z]{36}$`));
        expect(token).toHaveLength(prefix.length + 1 + 36);
      }
    }
  });

  it('splits the body into the random part and the checksum', () => {
    expect(RANDOM_LENGTH + CHECKSUM_LENGTH).toBe(36);
  });

  it('claims at least 160 bits of entropy in the random part', () => {
    expect(RANDOM_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(160);
  });

  it('gives 10,000 distinct tokens (and 10,000 distinct random parts)', () => {
    const tokens = Array.from({ length: 10_000 }, () => generatePat(PREFIX));
    expect(new Set(tokens).size).toBe(10_000);
    expect(new Set(tokens.map((t) => bodyOf(t).slice(0, RANDOM_LENGTH))).size).toBe(10_000);
  });

  it('draws the random part uniformly over the 62 symbols (no modulo bias)', () => {
    const counts = new Map<string, number>(Array.from(BASE62, (c) => [c, 0]));
    let total = 0;
    for (let i = 0; i < 10_000; i++) {
      for (const char of bodyOf(generatePat(PREFIX)).slice(0, RANDOM_LENGTH)) {
        counts.set(char, (counts.get(char) ?? 0) + 1);
        total++;
      }
    }
    expect(total).toBe(300_000);
    // Only base62 symbols ever appear.
    expect(counts.size).toBe(62);
    const expected = total / 62; // ~4839, standard deviation ~69
    let chiSquare = 0;
    for (const [symbol, count] of counts) {
      // +-15% is more than 10 standard deviations: never flakes, but catches the ~21% excess a
      // plain `byte % 62` would give the symbols 0-7.
      if (Math.abs(count - expected) > 0.15 * expected) {
        throw new Error(`symbol ${symbol}: ${count} occurrences, expected about ${expected.toFixed(0)}`);
      }
      chiSquare += (count - expected) ** 2 / expected;
    }
    // 61 degrees of freedom: mean 61; P(chi2 > 200) is about 1e-16. Modulo bias gives ~2000.
    expect(chiSquare).toBeLessThan(200);
  });
});

describe('isWellFormedPat', () => {
  const samples = Array.from({ length: 3 }, () => generatePat(PREFIX));

  it('accepts generated tokens, for any prefix', () => {
    for (let i = 0; i < 1000; i++) expect(isWellFormedPat(PREFIX, generatePat(PREFIX))).toBe(true);
    const other = generatePat('acme');
    expect(isWellFormedPat('acme', other)).toBe(true);
  });

  it('rejects every single-character substitution at every position of the body', () => {
    for (const token of samples) {
      const start = PREFIX.length + 1;
      let tried = 0;
      for (let pos = start; pos < token.length; pos++) {
        for (const replacement of BASE62) {
          if (replacement === token[pos]) continue;
          const mutated = token.slice(0, pos) + replacement + token.slice(pos + 1);
          if (isWellFormedPat(PREFIX, mutated)) {
            throw new Error(`accepted ${mutated} (position ${pos} changed to ${replacement})`);
          }
          tried++;
        }
      }
      expect(tried).toBe(36 * 61);
    }
  });

  it('rejects every change in the prefix and the separator', () => {
    for (const token of samples) {
      for (let pos = 0; pos <= PREFIX.length; pos++) {
        for (const replacement of `${BASE62}_-.`) {
          if (replacement === token[pos]) continue;
          const mutated = token.slice(0, pos) + replacement + token.slice(pos + 1);
          expect(isWellFormedPat(PREFIX, mutated)).toBe(false);
        }
      }
    }
  });

  it('rejects swapping two adjacent different characters of the body', () => {
    for (const token of samples) {
      const checksumStart = token.length - CHECKSUM_LENGTH;
      for (let pos = PREFIX.length + 1; pos < token.length - 1; pos++) {
        // A swap across the random/checksum boundary changes both; skip it to stay deterministic.
        if (token[pos] === token[pos + 1] || pos === checksumStart - 1) continue;
        const swapped = token.slice(0, pos) + token[pos + 1] + token[pos] + token.slice(pos + 2);
        expect(isWellFormedPat(PREFIX, swapped)).toBe(false);
      }
    }
  });

  it('rejects truncated and extended tokens', () => {
    const [token] = samples as [string];
    for (let length = 0; length < token.length; length++) {
      expect(isWellFormedPat(PREFIX, token.slice(0, length))).toBe(false);
    }
    for (const extra of ['0', 'a', 'Z', '_', 'aaaa']) {
      expect(isWellFormedPat(PREFIX, token + extra)).toBe(false);
      expect(isWellFormedPat(PREFIX, extra + token)).toBe(false);
    }
    // Dropping the first body character and appending one keeps the length; still rejected.
    expect(isWellFormedPat(PREFIX, `${PREFIX}_${bodyOf(token).slice(1)}0`)).toBe(false);
  });

  it('rejects a valid token of another prefix', () => {
    const other = generatePat('ghp');
    expect(isWellFormedPat('ghp', other)).toBe(true);
    expect(isWellFormedPat(PREFIX, other)).toBe(false);
    expect(isWellFormedPat('tsrx', `tsrx_${bodyOf(samples[0] as string)}`)).toBe(false);
    expect(isWellFormedPat('ts', samples[0])).toBe(false);
  });

  it('rejects non-strings and the empty string without throwing', () => {
    for (const value of [undefined, null, 123, {}, [], true, Symbol('x'), 12n, '', Buffer.from('x')]) {
      expect(isWellFormedPat(PREFIX, value)).toBe(false);
    }
    expect(isWellFormedPat(PREFIX, new String(samples[0]))).toBe(false);
  });

  it('rejects non-base62 characters anywhere in the body', () => {
    const [token] = samples as [string];
    for (const bad of ['-', '_', '+', '/', '=', '.', ' ', '\n', '\0', 'é', 'Ａ', '٣']) {
      for (const pos of [PREFIX.length + 1, PREFIX.length + 10, token.length - 1]) {
        const mutated = token.slice(0, pos) + bad + token.slice(pos + 1);
        expect(isWellFormedPat(PREFIX, mutated)).toBe(false);
      }
    }
  });

  it('rejects whitespace around a token', () => {
    const [token] = samples as [string];
    for (const padded of [
      ` ${token}`,
      `${token} `,
      `${token}\n`,
      `\t${token}`,
      ` ${token} `,
      `${token}\r\n`,
    ]) {
      expect(isWellFormedPat(PREFIX, padded)).toBe(false);
    }
  });

  it('rejects a made-up token of the right shape', () => {
    expect(isWellFormedPat(PREFIX, `${PREFIX}_${'a'.repeat(36)}`)).toBe(false);
    expect(isWellFormedPat(PREFIX, `${PREFIX}_${'0'.repeat(36)}`)).toBe(false);
  });
});

describe('hashPat', () => {
  it('is the 32-byte SHA-256 of the whole token string', () => {
    const token = generatePat(PREFIX);
    const digest = hashPat(token);
    expect(Buffer.isBuffer(digest)).toBe(true);
    expect(digest).toHaveLength(32);
    expect(digest.equals(createHash('sha256').update(token, 'utf8').digest())).toBe(true);
    // The whole string, not just the secret part.
    expect(digest.equals(createHash('sha256').update(bodyOf(token)).digest())).toBe(false);
  });

  it('matches a known SHA-256 vector', () => {
    expect(hashPat('abc').toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('differs for different tokens', () => {
    const a = generatePat(PREFIX);
    const b = generatePat(PREFIX);
    expect(hashPat(a).equals(hashPat(b))).toBe(false);
  });
});

describe('patHint', () => {
  it('is the prefix, the separator and the first 4 characters of the secret', () => {
    const token = generatePat(PREFIX);
    expect(patHint(PREFIX, token)).toBe(`tsr_${bodyOf(token).slice(0, 4)}`);
    const long = generatePat('acme2024xy');
    expect(patHint('acme2024xy', long)).toBe(`acme2024xy_${bodyOf(long, 'acme2024xy').slice(0, 4)}`);
  });

  it('never reveals more than 4 secret characters', () => {
    const token = generatePat('ab');
    expect(patHint('ab', token)).toHaveLength('ab_'.length + 4);
  });
});

describe('patScannerRegex', () => {
  const find = (prefix: string, text: string) => [...text.matchAll(patScannerRegex(prefix))].map((m) => m[0]);

  it('finds a token on its own', () => {
    const token = generatePat(PREFIX);
    expect(find(PREFIX, token)).toEqual([token]);
  });

  it('finds every token embedded in a JSON blob', () => {
    const a = generatePat(PREFIX);
    const b = generatePat(PREFIX);
    const blob = JSON.stringify({ ci: { token: a }, list: [`Bearer ${b}`], note: 'x' });
    expect(find(PREFIX, blob)).toEqual([a, b]);
  });

  it('finds tokens in shell lines, URLs and headers', () => {
    const a = generatePat(PREFIX);
    const b = generatePat(PREFIX);
    const c = generatePat(PREFIX);
    const text = [
      `export TESSERA_TOKEN=${a}`,
      `curl -H "Authorization: Bearer ${b}" https://x.example/api?token=${c}&x=1`,
      `echo '${a}'; # again`,
    ].join('\n');
    expect(find(PREFIX, text)).toEqual([a, b, c, a]);
  });

  it('can be used repeatedly (no state kept between scans)', () => {
    const token = generatePat(PREFIX);
    const regex = patScannerRegex(PREFIX);
    expect(`x ${token} y`.match(regex)).toEqual([token]);
    expect(`x ${token} y`.match(regex)).toEqual([token]);
  });

  it('does not match a token of another prefix', () => {
    const other = generatePat('ghp');
    expect(find(PREFIX, `token: ${other}`)).toEqual([]);
    // A prefix that merely ends in the one searched for is another prefix.
    const longer = `xtsr_${bodyOf(generatePat(PREFIX))}`;
    expect(find(PREFIX, `token: ${longer}`)).toEqual([]);
  });

  it('does not match a too-short or too-long candidate', () => {
    const token = generatePat(PREFIX);
    expect(find(PREFIX, `token=${token.slice(0, -1)} end`)).toEqual([]);
    expect(find(PREFIX, `token=${token}a end`)).toEqual([]);
    expect(find(PREFIX, `${PREFIX}_ and ${PREFIX}_abc`)).toEqual([]);
  });
});
