import { describe, expect, it } from '@jest/globals';
import { generatePat } from '../../../src/pat/format.js';
import { REDACTED, redactPats } from '../../../src/pat/leak-scan.js';

describe('redactPats', () => {
  const real = generatePat('tsr');
  const mistyped = `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`;

  it('redacts a real token and returns it, wherever it sits in the text', () => {
    for (const text of [real, `deploy ${real}`, `x${real}y`, `(${real}).`]) {
      const out = redactPats('tsr', text);
      expect(out.text).not.toContain(real);
      expect(out.text).toContain(REDACTED);
      expect(out.tokens).toEqual([real]);
    }
  });

  it('redacts a lookalike that fails the checksum, and names no token to look up', () => {
    expect(redactPats('tsr', `laptop ${mistyped}`)).toEqual({ text: `laptop ${REDACTED}`, tokens: [] });
  });

  it('leaves ordinary text, other prefixes and short runs alone', () => {
    for (const text of ['laptop', 'tsr_short', generatePat('acme'), `tsr_${'!'.repeat(36)}`]) {
      expect(redactPats('tsr', text)).toEqual({ text, tokens: [] });
    }
  });

  it('returns each token once however often it appears', () => {
    expect(redactPats('tsr', `${real} ${real}`).tokens).toEqual([real]);
  });
});
