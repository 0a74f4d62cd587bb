import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../../src/config.js';
import { clientAddress, normalizeAddress, proxyMatcher } from '../../../src/net/client-address.js';

const proxies = proxyMatcher(['10.0.0.0/8', '192.168.1.1/32', 'fd00::/8']);

describe('clientAddress', () => {
  it('an undeclared peer is the client, whatever X-Forwarded-For says', () => {
    expect(clientAddress('203.0.113.1', '1.2.3.4', proxies)).toBe('203.0.113.1');
    expect(clientAddress('2001:db8::1', '1.2.3.4', proxies)).toBe('2001:db8::1');
  });

  it('a declared peer vouches for the hop before it, and so on while hops are declared', () => {
    expect(clientAddress('10.0.0.1', '198.51.100.1', proxies)).toBe('198.51.100.1');
    expect(clientAddress('10.0.0.1', '6.6.6.6, 198.51.100.1, 192.168.1.1', proxies)).toBe('198.51.100.1');
    expect(clientAddress('fd00::2', '2001:db8::9, fd00::1', proxies)).toBe('2001:db8::9');
  });

  it('all hops declared: the leftmost; a malformed hop stops the walk at the last good one', () => {
    expect(clientAddress('10.0.0.1', '10.0.0.2, 10.0.0.3', proxies)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.1', 'x, 10.0.0.3', proxies)).toBe('10.0.0.3');
    expect(clientAddress('10.0.0.1', '', proxies)).toBe('10.0.0.1');
  });

  it('treats IPv4-mapped IPv6 peers as IPv4', () => {
    expect(normalizeAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(clientAddress('::ffff:10.0.0.1', '198.51.100.7', proxies)).toBe('198.51.100.7');
  });
});

describe('server.trustProxy in the config file', () => {
  it('accepts IPv4 and IPv6 CIDRs and names a bad one by its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cfg-'));
    const file = join(dir, 'config.json');
    try {
      writeFileSync(file, JSON.stringify({ server: { trustProxy: ['10.0.0.0/8', 'fd00::/8'] } }));
      expect(loadConfig({ TESSERA_CONFIG: file }).server.trustProxy).toEqual(['10.0.0.0/8', 'fd00::/8']);
      writeFileSync(file, JSON.stringify({ server: { trustProxy: ['10.0.0.0/8', 'proxy.example'] } }));
      expect(() => loadConfig({ TESSERA_CONFIG: file })).toThrow(/server\.trustProxy\[1\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
