/** The console and the CLI say "when" in the same words: one function, checked through both doors. */
import { describe, expect, it } from '@jest/globals';
import { relativeTime as cliRelativeTime } from '../../../src/cli/format.js';
import { relativeTime as consoleRelativeTime } from '../../../src/console/views/time.js';

const NOW = new Date('2026-11-28T12:00:00Z');
const MINUTE = 60_000;
const DAY = 86_400_000;

describe('relative times in the console and the CLI', () => {
  it.each([
    [-20_000, 'just now'],
    [-5 * MINUTE, '5 minutes ago'],
    [-100 * MINUTE, '2 hours ago'],
    [-90 * MINUTE, '2 hours ago'],
    [3 * DAY, 'in 3 days'],
    // A 90-day token made a moment ago: truncating would have said "in 2 months".
    [90 * DAY - 5_000, 'in 3 months'],
    [-400 * DAY, '1 year ago'],
  ])('%d ms from now reads "%s" in both', (offset, expected) => {
    const at = new Date(NOW.getTime() + offset);
    expect(consoleRelativeTime(at, NOW)).toBe(expected);
    expect(cliRelativeTime(at.toISOString(), NOW)).toBe(expected);
  });
});
