import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Config, ConfigError, loadClientConfig, loadConfig } from '../../../src/config.js';

let dir: string;
let fileCounter = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-config-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `content` (serialised unless already a string) to a new file; returns its path. */
function configFile(content: unknown): string {
  const path = join(dir, `config-${++fileCounter}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** The ConfigError `load` throws; fails the test when it throws nothing or something else. */
function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const loadFile = (content: unknown, env: Record<string, string> = {}) =>
  loadConfig({ ...env, TESSERA_CONFIG: configFile(content) });

const fileError = (content: unknown) => {
  const path = configFile(content);
  const error = configError(() => loadConfig({ TESSERA_CONFIG: path }));
  // The message says which file is wrong.
  expect(error.message).toContain(path);
  return error;
};

const validResource = { audience: 'https://api.example.com', scopes: ['repo:read'] };

describe('loadConfig defaults', () => {
  let config: Config;
  beforeAll(() => {
    config = loadConfig({});
  });

  it('listens on 127.0.0.1:3000 with issuer http://localhost:3000', () => {
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.issuer).toBe('http://localhost:3000');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.logLevel).toBe('info');
  });

  it('uses the default token policy and ES256', () => {
    expect(config.tokens).toEqual({
      prefix: 'tsr',
      defaultLifetimeDays: 90,
      maxLifetimeDays: 365,
      allowNoExpiry: false,
      lastUsedIntervalSeconds: 60,
      revokeAfterInactiveDays: null,
    });
    expect(config.signing).toEqual({ alg: 'ES256', jwksMaxAgeSeconds: 300, allowLoosePermissions: false });
    expect(config.limits).toEqual({
      tokenRequestsPerMinute: 600,
      failedAuthPerMinute: 30,
      leakReportsPerMinute: 10,
      consoleSignInPerMinute: 30,
    });
    expect(config.metrics).toEqual({ enabled: true });
    expect(config.clients).toEqual([]);
  });

  it('has the built-in catalogue plus tessera:tokens and tessera:admin, with descriptions', () => {
    expect(Object.keys(config.scopes).sort()).toEqual(
      [
        'repo:read',
        'repo:write',
        'repo:admin',
        'user:read',
        'user:write',
        'tessera:tokens',
        'tessera:admin',
      ].sort(),
    );
    for (const description of Object.values(config.scopes)) expect(description.length).toBeGreaterThan(0);
  });

  it("has exactly one resource, Tessera's own API, which is the default audience", () => {
    expect(config.resources).toHaveLength(1);
    const [api] = config.resources;
    expect(api?.audience).toBe('http://localhost:3000/api');
    expect(api?.tokenTtlSeconds).toBeGreaterThan(0);
    expect(new Set(api?.scopes)).toEqual(new Set(Object.keys(config.scopes)));
    expect(config.defaultAudience).toBe('http://localhost:3000/api');
  });

  it('derives the issuer from PORT when TESSERA_ISSUER is unset', () => {
    const config = loadConfig({ PORT: '8080' });
    expect(config.port).toBe(8080);
    expect(config.issuer).toBe('http://localhost:8080');
    expect(config.defaultAudience).toBe('http://localhost:8080/api');
  });

  it('reads the other variables', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db:5432/tessera',
      LOG_LEVEL: 'warn',
    });
    expect(config.host).toBe('0.0.0.0');
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/tessera');
    expect(config.logLevel).toBe('warn');
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/tessera' }).databaseUrl).toBe(
      'postgresql://db/tessera',
    );
  });
});

describe('TESSERA_ISSUER', () => {
  it('is used as given, without a trailing slash', () => {
    const config = loadConfig({ TESSERA_ISSUER: 'https://id.example.com/' });
    expect(config.issuer).toBe('https://id.example.com');
    expect(config.resources[0]?.audience).toBe('https://id.example.com/api');
    expect(config.defaultAudience).toBe('https://id.example.com/api');
  });

  it('keeps a path and drops every trailing slash', () => {
    expect(loadConfig({ TESSERA_ISSUER: 'https://example.com/tessera//' }).issuer).toBe(
      'https://example.com/tessera',
    );
    expect(loadConfig({ TESSERA_ISSUER: 'https://example.com/tessera' }).issuer).toBe(
      'https://example.com/tessera',
    );
  });
});

describe('environment errors name the variable', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '1.5'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'mysql://x'],
    ['TESSERA_ISSUER', 'not a url'],
  ])('%s=%s', (name, value) => {
    const error = configError(() => loadConfig({ [name]: value }));
    expect(error.message).toMatch(new RegExp(`\\b${name}\\b`));
  });
});

describe('config file errors', () => {
  it.each([
    ['-5', -5],
    ['0', 0],
    ['1.5', 1.5],
    ['a string', '900'],
  ])('tokenTtlSeconds %s names resources[0].tokenTtlSeconds', (_label, ttl) => {
    const error = fileError({ resources: [{ ...validResource, tokenTtlSeconds: ttl }] });
    expect(error.message.endsWith('resources[0].tokenTtlSeconds: expected a positive integer')).toBe(true);
  });

  it('names the index of the bad resource', () => {
    const error = fileError({
      resources: [validResource, { audience: 'https://b.example.com', scopes: [], tokenTtlSeconds: -1 }],
    });
    expect(error.message.endsWith('resources[1].tokenTtlSeconds: expected a positive integer')).toBe(true);
  });

  it('names an unknown top-level field', () => {
    expect(fileError({ resources: [], frobnicate: true }).message).toContain('frobnicate');
  });

  it('names an unknown nested field', () => {
    const message = fileError({ tokens: { prefx: 'abc' } }).message;
    expect(message).toContain('tokens');
    expect(message).toContain('prefx');
    const inResource = fileError({ resources: [{ ...validResource, ttl: 5 }] }).message;
    expect(inResource).toContain('resources[0]');
    expect(inResource).toContain('ttl');
  });

  it('rejects invalid JSON', () => {
    expect(fileError('{"resources": [').message).toMatch(/JSON/);
    expect(fileError('').message).toMatch(/JSON/);
  });

  it('rejects a file that is not a JSON object', () => {
    for (const content of ['[]', '"text"', '0', 'false'])
      expect(fileError(content).message).toContain('(root)');
  });

  it('rejects a file that is JSON null (an invalid file is never treated as an empty one)', () => {
    fileError('null');
  });

  it('names the position of a resource scope that is not in the catalogue', () => {
    const error = fileError({
      resources: [{ audience: 'https://api.example.com', scopes: ['repo:read', 'repo:destroy'] }],
    });
    expect(error.message).toContain('resources[0].scopes[1]');
    expect(error.message).toContain('repo:destroy');
  });

  it('does not take Object.prototype members for catalogue scopes', () => {
    for (const name of ['constructor', '__proto__']) {
      const error = fileError({ resources: [{ audience: 'https://api.example.com', scopes: [name] }] });
      expect(error.message).toContain('resources[0].scopes[0]');
    }
  });

  it('rejects a defaultAudience that names no resource', () => {
    const error = fileError({ resources: [validResource], defaultAudience: 'https://elsewhere.example.com' });
    expect(error.message).toContain('defaultAudience');
  });

  it('rejects defaultLifetimeDays above maxLifetimeDays', () => {
    const error = fileError({ tokens: { defaultLifetimeDays: 400, maxLifetimeDays: 365 } });
    expect(error.message).toContain('tokens.defaultLifetimeDays');
    // Equal is fine.
    expect(
      loadFile({ tokens: { defaultLifetimeDays: 30, maxLifetimeDays: 30 } }).tokens.maxLifetimeDays,
    ).toBe(30);
  });

  it('rejects other bad fields, naming each', () => {
    expect(fileError({ tokens: { prefix: 'TSR' } }).message).toContain('tokens.prefix');
    expect(fileError({ signing: { alg: 'HS256' } }).message).toContain('signing.alg');
    expect(fileError({ signing: { alg: 'none' } }).message).toContain('signing.alg');
    expect(fileError({ resources: [{ ...validResource, audience: 'not a url' }] }).message).toContain(
      'resources[0].audience',
    );
    expect(fileError({ resources: [{ ...validResource, tokenTtlSeconds: 86401 }] }).message).toContain(
      'resources[0].tokenTtlSeconds',
    );
    expect(fileError({ scopes: { 'Bad Scope': 'x' } }).message).toContain('scopes');
    expect(fileError({ clients: [{ client_id: 'bot', client_secret: 'short' }] }).message).toContain(
      'clients[0].client_secret',
    );
    // The public client cannot be made confidential: its plain exchanges skip client authentication.
    const secret = 'a-very-long-secret-value';
    expect(fileError({ clients: [{ client_id: 'tessera-cli', client_secret: secret }] }).message).toMatch(
      /clients\[0\]\.client_id.*built-in public client/,
    );
    const twice = {
      clients: [
        { client_id: 'bot', client_secret: secret },
        { client_id: 'bot', client_secret: secret },
      ],
    };
    expect(fileError(twice).message).toMatch(/clients.*each client_id once/);
  });

  it('rejects a TESSERA_CONFIG that points to a missing file', () => {
    const missing = join(dir, 'does-not-exist.json');
    const error = configError(() => loadConfig({ TESSERA_CONFIG: missing }));
    expect(error.message).toContain(missing);
  });

  it('rejects a TESSERA_CONFIG that points to a directory', () => {
    configError(() => loadConfig({ TESSERA_CONFIG: dir }));
  });
});

describe('a valid config file', () => {
  const file = {
    scopes: { 'docs:read': 'Read documents', 'docs:write': 'Edit documents' },
    resources: [
      { audience: 'https://docs.example.com', scopes: ['docs:read', 'docs:write'], tokenTtlSeconds: 300 },
      { audience: 'https://search.example.com', scopes: ['docs:read'] },
    ],
    defaultAudience: 'https://docs.example.com',
    tokens: { prefix: 'acme', defaultLifetimeDays: 30, maxLifetimeDays: 60, allowNoExpiry: true },
    signing: { alg: 'EdDSA' },
    clients: [{ client_id: 'deploy-bot', client_secret: 'a-very-long-secret-value' }],
  };

  it('lists its resources after the built-in API resource', () => {
    const config = loadFile(file, { TESSERA_ISSUER: 'https://id.example.com' });
    expect(config.resources.map((r) => r.audience)).toEqual([
      'https://id.example.com/api',
      'https://docs.example.com',
      'https://search.example.com',
    ]);
    expect(config.resources[1]).toEqual({
      audience: 'https://docs.example.com',
      scopes: ['docs:read', 'docs:write'],
      tokenTtlSeconds: 300,
    });
    // tokenTtlSeconds defaults to 900.
    expect(config.resources[2]?.tokenTtlSeconds).toBe(900);
    expect(config.defaultAudience).toBe('https://docs.example.com');
  });

  it('replaces the catalogue with its scopes; the tessera:* scopes stay', () => {
    const config = loadFile(file);
    expect(Object.keys(config.scopes).sort()).toEqual(
      ['docs:read', 'docs:write', 'tessera:admin', 'tessera:tokens'].sort(),
    );
    expect(config.scopes['docs:read']).toBe('Read documents');
    expect(config.scopes['repo:read']).toBeUndefined();
    expect(new Set(config.resources[0]?.scopes)).toEqual(new Set(Object.keys(config.scopes)));
  });

  it('makes the default catalogue unknown once replaced', () => {
    const error = fileError({
      scopes: { 'docs:read': 'Read documents' },
      resources: [{ audience: 'https://docs.example.com', scopes: ['repo:read'] }],
    });
    expect(error.message).toContain('resources[0].scopes[0]');
  });

  it('keeps the tessera:* scopes even when the file redefines them', () => {
    const config = loadFile({ scopes: { 'tessera:admin': 'mine', 'docs:read': 'Read documents' } });
    expect(config.scopes['tessera:admin']).not.toBe('mine');
    expect(config.scopes['tessera:tokens']).toBeDefined();
  });

  it('takes its token policy, signing algorithm and clients', () => {
    const config = loadFile(file);
    expect(config.tokens).toEqual({
      prefix: 'acme',
      defaultLifetimeDays: 30,
      maxLifetimeDays: 60,
      allowNoExpiry: true,
      lastUsedIntervalSeconds: 60,
      revokeAfterInactiveDays: null,
    });
    expect(config.signing.alg).toBe('EdDSA');
    expect(config.clients).toEqual([
      {
        client_id: 'deploy-bot',
        client_secret: 'a-very-long-secret-value',
        grant_types: ['urn:ietf:params:oauth:grant-type:token-exchange'],
      },
    ]);
  });

  it('fills in the token defaults a partial tokens section leaves out', () => {
    expect(loadFile({ tokens: { prefix: 'acme' } }).tokens).toEqual({
      prefix: 'acme',
      defaultLifetimeDays: 90,
      maxLifetimeDays: 365,
      allowNoExpiry: false,
      lastUsedIntervalSeconds: 60,
      revokeAfterInactiveDays: null,
    });
  });

  it('an empty object gives the defaults', () => {
    const config = loadFile({});
    expect(config.resources).toHaveLength(1);
    expect(Object.keys(config.scopes)).toContain('repo:read');
    expect(config.tokens.prefix).toBe('tsr');
  });
});

describe('loadClientConfig', () => {
  it('strips trailing slashes from TESSERA_URL and passes TESSERA_TOKEN through', () => {
    expect(
      loadClientConfig({ TESSERA_URL: 'https://tessera.example.com/', TESSERA_TOKEN: 'tsr_abc' }),
    ).toEqual({
      url: 'https://tessera.example.com',
      token: 'tsr_abc',
    });
    expect(loadClientConfig({ TESSERA_URL: 'https://tessera.example.com///' }).url).toBe(
      'https://tessera.example.com',
    );
  });

  it('has no token when TESSERA_TOKEN is unset', () => {
    expect(loadClientConfig({ TESSERA_URL: 'http://127.0.0.1:4000' })).toEqual({
      url: 'http://127.0.0.1:4000',
      token: undefined,
    });
  });

  it('defaults to the local server', () => {
    expect(loadClientConfig({}).url).toBe('http://localhost:3000');
  });
});

describe('notifications.email', () => {
  it('is off by default and takes an smtp:// or smtps:// URL with defaults for the rest', () => {
    expect(loadConfig({}).notifications.email).toBeUndefined();
    const email = loadFile({
      notifications: { email: { smtpUrl: 'smtps://mail.example.com', from: 'T <t@x.io>' } },
    }).notifications.email;
    expect(email).toMatchObject({
      smtpUrl: 'smtps://mail.example.com',
      maxAttempts: 12,
      pollIntervalMs: 5000,
    });
  });

  it('names the bad field: an http URL or a missing from', () => {
    expect(
      fileError({ notifications: { email: { smtpUrl: 'http://mail.example.com', from: 'x@y.z' } } }).message,
    ).toContain('notifications.email.smtpUrl');
    expect(fileError({ notifications: { email: { smtpUrl: 'smtp://mail.example.com' } } }).message).toContain(
      'notifications.email.from',
    );
  });
});
