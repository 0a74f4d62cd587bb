import { describe, expect, it } from '@jest/globals';
import { cellSafe, terminalSafe } from '../../../src/cli/terminal-text.js';

describe('terminalSafe', () => {
  it.each([
    ['\u001b]52;c;eA==\u0007', '\\u001b]52;c;eA==\\u0007'],
    ['\u009b2K', '\\u009b2K'],
    ['a\rb', 'a\\u000db'],
    ['\u007f', '\\u007f'],
    ['abc\u202edef', 'abc\\u202edef'],
    ['tab\there', 'tab\\u0009here'],
  ])('escapes %j', (input, expected) => {
    expect(terminalSafe(input)).toBe(expected);
  });

  it('keeps newlines, printable text and non-Latin names as they are', () => {
    const text = 'ID  NAME\nab12  déploiement 部署 تطبيق ✓';
    expect(terminalSafe(text)).toBe(text);
  });

  it('keeps JSON valid and its values the same', () => {
    const value = { name: 'x\u0085y\u009b\u001b', list: ['\u2028'] };
    const printed = terminalSafe(JSON.stringify(value, null, 2));
    expect(JSON.parse(printed)).toEqual(value);
  });

  it('is idempotent', () => {
    const once = terminalSafe('\u001b[31m\u0090');
    expect(terminalSafe(once)).toBe(once);
  });
});

describe('cellSafe', () => {
  it('escapes a newline too: a cell cannot fake a row', () => {
    expect(cellSafe('name\nabcd1234  forged')).toBe('name\\u000aabcd1234  forged');
  });
});
