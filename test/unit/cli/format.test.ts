import { describe, expect, it } from '@jest/globals';
import {
  parseDays,
  parseLifetimeDays,
  parseScopeList,
  relativeTime,
  splitScopes,
} from '../../../src/cli/format.js';
import { formatFields, formatTable, TABLE_WIDTH, truncate, wrap } from '../../../src/cli/table.js';

const NOW = new Date('2026-11-28T12:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('relativeTime', () => {
  it.each([
    [at(-2 * HOUR), '2 hours ago'],
    [at(-100 * MINUTE), '2 hours ago'],
    [at(-5 * MINUTE), '5 minutes ago'],
    [at(-20_000), 'just now'],
    [at(3 * DAY), 'in 3 days'],
    [at(90 * DAY - 5), 'in 3 months'],
    [at(-400 * DAY), '1 year ago'],
  ])('%s is "%s"', (iso, expected) => {
    expect(relativeTime(iso, NOW)).toBe(expected);
  });

  it('says never for a missing time', () => {
    expect(relativeTime(null, NOW)).toBe('never');
  });
});

describe('scope lists', () => {
  it('take commas, spaces or both, once each', () => {
    expect(splitScopes('repo:read repo:write')).toEqual(['repo:read', 'repo:write']);
    expect(splitScopes(' repo:read,repo:write , user:read ')).toEqual([
      'repo:read',
      'repo:write',
      'user:read',
    ]);
    expect(splitScopes('repo:read,repo:read')).toEqual(['repo:read']);
  });

  it('refuse an empty list instead of sending none', () => {
    expect(() => parseScopeList(' , ')).toThrow('at least one scope');
  });
});

describe('day counts', () => {
  it.each(['abc', '7days', '1.5', '-3', '', '07'])('refuse %p', (value) => {
    expect(() => parseDays(value)).toThrow('whole number of days');
  });

  it('a lifetime of 0 days is refused, a filter of 0 days is not', () => {
    expect(parseDays('0')).toBe(0);
    expect(() => parseLifetimeDays('0')).toThrow();
    expect(parseLifetimeDays('30')).toBe(30);
  });
});

describe('formatTable', () => {
  it('fits 100 columns by cutting shrinkable columns, never the others', () => {
    const id = 'c0ffee12';
    const rows = [[id, 'n'.repeat(80), 'active', `${'repo:read,'.repeat(8)}x`]];
    const table = formatTable(['ID', 'NAME', 'STATUS', 'SCOPES'], rows, { shrinkable: ['NAME', 'SCOPES'] });
    for (const line of table.split('\n')) expect(line.length).toBeLessThanOrEqual(TABLE_WIDTH);
    const row = table.split('\n')[1] as string;
    expect(row.startsWith(`${id}  `)).toBe(true);
    expect(row).toContain('  active  ');
    expect(row).toContain('…');
  });

  it('leaves rows that fit untouched', () => {
    expect(formatTable(['A', 'B'], [['x', 'yy']])).toBe('A  B\nx  yy');
  });

  it('truncate marks the cut with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});

describe('formatFields', () => {
  it('wraps a long value under itself within 100 columns, losing no word', () => {
    const scopes = Array.from({ length: 30 }, (_, i) => `scope:number-${i}`);
    const text = formatFields([
      ['id', 'c0ffee12-0000-4000-8000-000000000000'],
      ['scopes', scopes.join(' ')],
    ]);
    const lines = text.split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(TABLE_WIDTH);
    expect(lines[0]).toBe('id:     c0ffee12-0000-4000-8000-000000000000');
    expect(lines[1]?.startsWith('scopes: scope:number-0 ')).toBe(true);
    expect(lines.slice(2).every((line) => line.startsWith('        scope:'))).toBe(true);
    expect(lines.slice(1).join(' ').replace('scopes:', '').split(/\s+/).filter(Boolean)).toEqual(scopes);
  });

  it('wrap keeps a word longer than the width whole', () => {
    expect(wrap('a bbbbbbbbbb c', 5)).toEqual(['a', 'bbbbbbbbbb', 'c']);
  });
});
