/**
 * Trust policy patterns: `*` is any run of characters, nothing else is special, and a pattern
 * matches whole values. The oracle for the properties is an anchored regular expression built
 * with every other character escaped, the reading docs/design.md gives.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { matchesPattern } from '../../../src/federation/pattern.js';

/** The reference reading: escape everything, `*` -> `[\s\S]*`, anchored. */
function oracle(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(`^${source}$`).test(value);
}

// Small alphabets make matches (and near misses) likely; regex metacharacters are in them on purpose.
const alphabet = fc.constantFrom('a', 'b', '.', '/', ':', '?', '+', '(', '[', '\\', '$', '^', '|', '-');
const text = fc.string({ unit: alphabet, maxLength: 12 });
const pattern = fc.string({ unit: fc.oneof(alphabet, fc.constant('*')), maxLength: 10 });

describe('matchesPattern', () => {
  it('a pattern without * matches exactly its own text', () => {
    expect(matchesPattern('repo:acme/api:ref:refs/heads/main', 'repo:acme/api:ref:refs/heads/main')).toBe(
      true,
    );
    expect(matchesPattern('repo:acme/api', 'repo:acme/api:ref:refs/heads/main')).toBe(false);
    expect(matchesPattern('repo:acme/api', 'xrepo:acme/api')).toBe(false);
  });

  it('* is the only wildcard: regex metacharacters are literal', () => {
    expect(matchesPattern('repo:a.b', 'repo:aXb')).toBe(false);
    expect(matchesPattern('v1.?', 'v1.x')).toBe(false);
    expect(matchesPattern('a+', 'aa')).toBe(false);
    expect(matchesPattern('[ab]', 'a')).toBe(false);
    expect(matchesPattern('^x$', '^x$')).toBe(true);
  });

  it('* matches any run, the empty one too, and is anchored at both ends', () => {
    expect(
      matchesPattern(
        'acme/api/.github/workflows/deploy.yml@*',
        'acme/api/.github/workflows/deploy.yml@refs/heads/main',
      ),
    ).toBe(true);
    expect(matchesPattern('acme/api/*', 'acme/api/')).toBe(true);
    expect(matchesPattern('acme/api/*', 'acme/api-evil/x')).toBe(false);
    expect(matchesPattern('repo:acme/*:ref:refs/heads/main', 'repo:acme/api:ref:refs/heads/main-evil')).toBe(
      false,
    );
    expect(matchesPattern('*', '')).toBe(true);
    expect(matchesPattern('a*a', 'a')).toBe(false);
  });

  it('agrees with the escaped, anchored regular expression on every input (property)', () => {
    fc.assert(
      fc.property(pattern, text, (p, v) => {
        expect(matchesPattern(p, v)).toBe(oracle(p, v));
      }),
      { numRuns: 5000 },
    );
  });

  it('never over-matches: a value it accepts has every fixed part, in order, at the anchors (property)', () => {
    fc.assert(
      fc.property(pattern, text, (p, v) => {
        fc.pre(matchesPattern(p, v));
        const parts = p.split('*');
        expect(v.startsWith(parts[0] as string)).toBe(true);
        expect(v.endsWith(parts.at(-1) as string)).toBe(true);
        expect(v.length).toBeGreaterThanOrEqual(parts.join('').length);
      }),
      { numRuns: 2000 },
    );
  });

  it('a value with a part replaced by * is matched by that pattern (property)', () => {
    fc.assert(
      fc.property(text, text, text, (head, middle, tail) => {
        const clean = (s: string) => s.replaceAll('*', '');
        expect(matchesPattern(`${clean(head)}*${clean(tail)}`, `${clean(head)}${middle}${clean(tail)}`)).toBe(
          true,
        );
      }),
    );
  });
});
