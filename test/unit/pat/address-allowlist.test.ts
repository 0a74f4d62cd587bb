/** The one allowlist rule, over IPv4, IPv6 and IPv4-mapped addresses; and what a CIDR may look like. */
import { describe, expect, it } from '@jest/globals';
import { cidrWithin, isAddressAllowed, parseCidr } from '../../../src/pat/address-allowlist.js';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    [' 192.168.1.7 ', '192.168.1.7/32'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['::1', '::1/128'],
    ['0.0.0.0/0', '0.0.0.0/0'],
  ])('accepts %s as %s', (text, canonical) => expect(parseCidr(text)).toBe(canonical));

  it.each([
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0/8',
    '10.0.0.0/8/8',
    'example.com/8',
    '10.0.0.0/-1',
    '10.0.0.0/ 8',
    '',
    '/8',
    '10.0.0.0/08a',
  ])('refuses %j', (text) => expect(parseCidr(text)).toBeNull());
});

describe('isAddressAllowed', () => {
  it('lets a PAT without a list be used from anywhere', () => {
    expect(isAddressAllowed(null, '203.0.113.9')).toBe(true);
    expect(isAddressAllowed(null, null)).toBe(true);
  });

  it('matches IPv4 networks, also for IPv4-mapped IPv6 client addresses', () => {
    const list = ['10.0.0.0/8', '192.0.2.7/32'];
    expect(isAddressAllowed(list, '10.200.3.4')).toBe(true);
    expect(isAddressAllowed(list, '::ffff:10.200.3.4')).toBe(true);
    expect(isAddressAllowed(list, '192.0.2.7')).toBe(true);
    expect(isAddressAllowed(list, '192.0.2.8')).toBe(false);
    expect(isAddressAllowed(list, '11.0.0.1')).toBe(false);
  });

  it('matches IPv6 networks, and never an IPv4 address against them', () => {
    const list = ['2001:db8:1234::/48', '::1/128'];
    expect(isAddressAllowed(list, '2001:db8:1234:ffff::1')).toBe(true);
    expect(isAddressAllowed(list, '2001:DB8:1234::9')).toBe(true);
    expect(isAddressAllowed(list, '::1')).toBe(true);
    expect(isAddressAllowed(list, '2001:db8:1235::1')).toBe(false);
    expect(isAddressAllowed(list, '127.0.0.1')).toBe(false);
  });

  it('refuses an unknown or unparseable client address when a list is set', () => {
    expect(isAddressAllowed(['0.0.0.0/0'], null)).toBe(false);
    expect(isAddressAllowed(['0.0.0.0/0'], 'not-an-ip')).toBe(false);
    expect(isAddressAllowed([], '10.0.0.1')).toBe(false);
  });
});

describe('cidrWithin', () => {
  it.each([
    ['10.1.2.0/24', '10.0.0.0/8', true],
    ['10.1.2.130/25', '10.1.2.0/24', true],
    ['10.1.2.200/28', '10.1.2.0/25', false],
    ['10.0.0.0/8', '10.1.0.0/16', false],
    ['10.0.0.1/32', '2001:db8::/32', false],
    ['2001:db8:1::/48', '2001:db8::/32', true],
    ['::ffff:10.0.0.1/128', '10.0.0.0/8', false],
  ])('%s within %s: %s', (inner, outer, expected) => {
    expect(cidrWithin(inner, outer)).toBe(expected);
  });
});
