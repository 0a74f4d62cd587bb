/**
 * Configuration: environment variables and the JSON config file, validated once at boot.
 * This is the only module that reads `process.env` (callers pass it in), so everything else
 * receives typed, validated values.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import {
  type ClientConfig,
  type ConsoleConfig,
  type DpopConfig,
  type EmailSettings,
  envSchema,
  type FederationConfig,
  fileSchema,
  type Limits,
  type LoginConfig,
  type NotificationsConfig,
  type OidcLoginConfig,
  type Resource,
  type TokenPolicy,
  type WebhookSettings,
} from './config-schema.js';
import { BUILTIN_SCOPES, DEFAULT_SCOPE_CATALOGUE } from './scopes.js';
import { isAllowedIssuerUrl } from './session/issuer-url.js';

export type {
  ClientConfig,
  ConsoleConfig,
  DpopConfig,
  EmailSettings,
  FederationConfig,
  Limits,
  LoginConfig,
  NotificationsConfig,
  OidcLoginConfig,
  Resource,
  TokenPolicy,
  WebhookSettings,
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Every environment variable the service reads. */
export const SERVICE_ENV_VARS = Object.keys(envSchema.shape);

export interface Config {
  port: number;
  host: string;
  issuer: string;
  databaseUrl: string | undefined;
  dataDir: string;
  keysDir: string;
  logLevel: string;
  /** Every scope a PAT may carry, with its description: built-ins plus the catalogue. */
  scopes: Record<string, string>;
  resources: Resource[];
  defaultAudience: string;
  tokens: TokenPolicy;
  signing: z.infer<typeof fileSchema>['signing'];
  limits: Limits;
  audit: z.infer<typeof fileSchema>['audit'];
  exchange: z.infer<typeof fileSchema>['exchange'];
  database: z.infer<typeof fileSchema>['database'];
  server: z.infer<typeof fileSchema>['server'];
  metrics: z.infer<typeof fileSchema>['metrics'];
  clients: ClientConfig[];
  federation: FederationConfig;
  dpop: DpopConfig;
  webhooks: WebhookSettings;
  notifications: NotificationsConfig;
  console: ConsoleConfig;
  login: LoginConfig;
}

/** Formats a zod issue path the way the config file is written: `resources[0].tokenTtlSeconds`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

function firstIssue(error: z.ZodError, source: string): ConfigError {
  const issue = error.issues[0];
  const where = formatIssuePath(issue?.path ?? []) || '(root)';
  return new ConfigError(`${source}: ${where}: ${issue?.message ?? 'invalid'}`);
}

type Env = Record<string, string | undefined>;

function readConfigFile(env: Env): { raw: unknown; source: string } | undefined {
  const explicit = env.TESSERA_CONFIG;
  const path = resolve(explicit ?? './tessera.config.json');
  if (!explicit && !existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`${path}: cannot be read`);
  }
  try {
    return { raw: JSON.parse(text), source: path };
  } catch (error) {
    throw new ConfigError(`${path}: invalid JSON (${(error as Error).message})`);
  }
}

/** SSO entitlement mappings may name only catalogue scopes; the IdP must be https or loopback http. */
function checkLoginScopes(login: LoginConfig, scopes: Record<string, string>, source: string) {
  const oidc = login.oidc;
  if (!oidc) return;
  if (!isAllowedIssuerUrl(oidc.issuer)) {
    throw new ConfigError(
      `${source}: login.oidc.issuer: expected https (plain http only for loopback hosts)`,
    );
  }
  const named: Array<[string, string[]]> = [
    ['login.oidc.defaultEntitlements', oidc.defaultEntitlements],
    ...Object.entries(oidc.groupEntitlements).map(([group, list]): [string, string[]] => [
      `login.oidc.groupEntitlements.${group}`,
      list,
    ]),
  ];
  for (const [path, list] of named) {
    list.forEach((scope, i) => {
      if (!Object.hasOwn(scopes, scope))
        throw new ConfigError(`${source}: ${path}[${i}]: unknown scope "${scope}"`);
    });
  }
}

/** Checks the cross-field rules zod cannot express per field. */
function checkConsistency(file: z.infer<typeof fileSchema>, scopes: Record<string, string>, source: string) {
  file.resources.forEach((resource, i) => {
    resource.scopes.forEach((scope, j) => {
      if (!Object.hasOwn(scopes, scope)) {
        throw new ConfigError(`${source}: resources[${i}].scopes[${j}]: unknown scope "${scope}"`);
      }
    });
  });
  checkLoginScopes(file.login, scopes, source);
  if (file.tokens.defaultLifetimeDays > file.tokens.maxLifetimeDays) {
    throw new ConfigError(`${source}: tokens.defaultLifetimeDays: must not exceed tokens.maxLifetimeDays`);
  }
}

/** Builds the validated configuration from an environment (pass `process.env`). */
export function loadConfig(env: Env): Config {
  const parsedEnv = envSchema.safeParse(env);
  if (!parsedEnv.success) throw firstIssue(parsedEnv.error, 'environment');
  const e = parsedEnv.data;

  const file = readConfigFile(env);
  const parsedFile = fileSchema.safeParse(file ? file.raw : {});
  if (!parsedFile.success) throw firstIssue(parsedFile.error, file?.source ?? 'config');
  const f = parsedFile.data;

  const issuer = (e.TESSERA_ISSUER ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const scopes = { ...(f.scopes ?? DEFAULT_SCOPE_CATALOGUE), ...BUILTIN_SCOPES };
  checkConsistency(f, scopes, file?.source ?? 'config');

  const apiResource: Resource = {
    audience: `${issuer}/api`,
    scopes: Object.keys(scopes),
    tokenTtlSeconds: 900,
  };
  const resources = [apiResource, ...f.resources.filter((r) => r.audience !== apiResource.audience)];
  const defaultAudience = f.defaultAudience ?? apiResource.audience;
  if (!resources.some((r) => r.audience === defaultAudience)) {
    throw new ConfigError(`${file?.source ?? 'config'}: defaultAudience: names no configured resource`);
  }

  return {
    port: e.PORT,
    host: e.HOST,
    issuer,
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(e.TESSERA_DATA_DIR),
    keysDir: resolve(e.TESSERA_KEYS_DIR),
    logLevel: e.LOG_LEVEL,
    scopes,
    resources,
    defaultAudience,
    tokens: f.tokens,
    signing: f.signing,
    limits: f.limits,
    audit: f.audit,
    exchange: f.exchange,
    database: f.database,
    server: f.server,
    metrics: f.metrics,
    clients: f.clients,
    federation: f.federation,
    dpop: f.dpop,
    webhooks: f.webhooks,
    notifications: f.notifications,
    console: f.console,
    login: f.login,
  };
}

/**
 * How long a retired signing key stays published: until every JWT it signed has expired
 * (the longest resource TTL) and every JWKS copy cached before its successor lapsed.
 */
export function keyRetentionSeconds(config: Pick<Config, 'resources' | 'signing'>): number {
  return Math.max(...config.resources.map((r) => r.tokenTtlSeconds)) + config.signing.jwksMaxAgeSeconds;
}

/** The CLI client's settings: where the server is and which PAT to present. */
export function loadClientConfig(env: Env): { url: string; token: string | undefined } {
  const url = (env.TESSERA_URL ?? `http://localhost:${env.PORT ?? 3000}`).replace(/\/+$/, '');
  // fetch would say only "fetch failed" for `localhost:3000` or `tessera.example.com`.
  if (!/^https?:\/\/[^/]/i.test(url)) {
    throw new ConfigError(
      `TESSERA_URL must start with http:// or https:// (got "${url}"), e.g. TESSERA_URL=https://${url.replace(/^[a-z]+:\/*/i, '') || 'tessera.example.com'}`,
    );
  }
  return { url, token: env.TESSERA_TOKEN };
}
