/** The `federation` section of the config file: defaults, bounds, and errors that name the field. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../src/config.js';

let dir: string;
let files = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-config-federation-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(content: unknown) {
  const path = join(dir, `config-${++files}.json`);
  writeFileSync(path, JSON.stringify(content));
  return loadConfig({ TESSERA_CONFIG: path });
}

describe('federation config', () => {
  it('defaults: token age 3600 s, JWKS cooldown 30 s, cache 600 s, fetch timeout 5 s', () => {
    expect(load({}).federation).toEqual({
      maxTokenAgeSeconds: 3600,
      jwksCooldownSeconds: 30,
      jwksCacheSeconds: 600,
      fetchTimeoutMs: 5000,
    });
  });

  it('takes the operator’s values', () => {
    expect(
      load({ federation: { maxTokenAgeSeconds: 600, jwksCooldownSeconds: 0 } }).federation,
    ).toMatchObject({
      maxTokenAgeSeconds: 600,
      jwksCooldownSeconds: 0,
    });
  });

  it.each([
    [{ maxTokenAgeSeconds: 0 }, 'federation.maxTokenAgeSeconds'],
    [{ maxTokenAgeSeconds: 86401 }, 'federation.maxTokenAgeSeconds'],
    [{ jwksCooldownSeconds: -1 }, 'federation.jwksCooldownSeconds'],
    [{ fetchTimeoutMs: 60_000 }, 'federation.fetchTimeoutMs'],
    [{ trustEveryone: true }, 'trustEveryone'],
  ])('refuses %j naming %s', (federation, field) => {
    expect(() => load({ federation })).toThrow(ConfigError);
    expect(() => load({ federation })).toThrow(field);
  });
});
