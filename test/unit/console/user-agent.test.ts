import { describe, expect, it } from '@jest/globals';
import { userAgentLabel } from '../../../src/console/user-agent.js';

describe('userAgentLabel', () => {
  it.each([
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      'Chrome on Linux',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
      'Safari on macOS',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0',
      'Firefox on Windows',
    ],
    ['curl/8.5.0', 'curl 8.5'],
    ['python-requests/2.31.0', 'python-requests 2.31'],
    ['Go-http-client/1.1', 'Go-http-client 1.1'],
    ['tessera-cli/1.0.0 node/24.1.0', 'tessera-cli 1.0'],
    ['node', 'node'],
  ])('%s reads as %s', (raw, label) => {
    expect(userAgentLabel(raw)).toBe(label);
  });

  it('absent stays absent; a long unknown string is shortened', () => {
    expect(userAgentLabel(null)).toBeNull();
    expect(userAgentLabel('x'.repeat(300))).toHaveLength(40);
  });
});
