/**
 * Configuration: environment variables and the JSON config file, validated once at boot.
 * This is the only module that reads `process.env` (callers pass it in), so everything else
 * receives typed, validated values.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { BUILTIN_SCOPES, DEFAULT_SCOPE_CATALOGUE } from './scopes.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const positiveInt = z
  .int({ error: 'expected a positive integer' })
  .positive({ error: 'expected a positive integer' });
const scopeName = z
  .string()
  .regex(/^[a-z][a-z0-9_.:-]{0,63}$/, { error: 'expected a scope name like repo:read' });

const resourceSchema = z.strictObject({
  audience: z.url({ error: 'expected an absolute URL' }),
  scopes: z.array(scopeName),
  tokenTtlSeconds: positiveInt.max(86400, { error: 'expected at most 86400 seconds' }).default(900),
});

const clientSchema = z.strictObject({
  client_id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'expected 1-64 characters [A-Za-z0-9._-]' }),
  client_secret: z.string().min(16, { error: 'expected a secret of at least 16 characters' }),
  grant_types: z.array(z.string()).default(['urn:ietf:params:oauth:grant-type:token-exchange']),
  audiences: z.array(z.url()).optional(),
});

const fileSchema = z.strictObject({
  scopes: z.record(scopeName, z.string().min(1)).optional(),
  resources: z.array(resourceSchema).default([]),
  defaultAudience: z.url().optional(),
  tokens: z
    .strictObject({
      prefix: z
        .string()
        .regex(/^[a-z][a-z0-9]{1,9}$/, { error: 'expected 2-10 lowercase letters or digits' })
        .default('tsr'),
      defaultLifetimeDays: positiveInt.default(90),
      maxLifetimeDays: positiveInt.default(365),
      allowNoExpiry: z.boolean().default(false),
      /** `last_used_at` is written at most once per token per this many seconds. */
      lastUsedIntervalSeconds: positiveInt.default(60),
      /** Revoke tokens unused for this many days (null: never; Databricks uses 90). */
      revokeAfterInactiveDays: positiveInt.nullable().default(null),
    })
    .prefault({}),
  signing: z
    .strictObject({
      alg: z.enum(['ES256', 'EdDSA', 'RS256']).default('ES256'),
      /** `Cache-Control: max-age` of the JWKS response. */
      jwksMaxAgeSeconds: positiveInt.max(86400, { error: 'expected at most 86400 seconds' }).default(300),
    })
    .prefault({}),
  /** Per-instance rate limits, per client IP, per minute. */
  limits: z
    .strictObject({
      tokenRequestsPerMinute: positiveInt.default(600),
      failedAuthPerMinute: positiveInt.default(30),
      leakReportsPerMinute: positiveInt.default(10),
    })
    .prefault({}),
  /** PostgreSQL (DATABASE_URL) connection pool. */
  database: z
    .strictObject({
      poolSize: positiveInt.max(200).default(10),
      /** Give up connecting after this long (the request then answers 503). */
      connectTimeoutMs: positiveInt.default(1500),
      /**
       * Server-side statement_timeout, and (plus 500 ms) the client-side query timeout: with the
       * defaults, a request facing a hung database answers 503 within 2 s. Migrations lift it.
       */
      statementTimeoutMs: positiveInt.default(1500),
    })
    .prefault({}),
  server: z
    .strictObject({
      /** A request (headers and body) must arrive within this long, else 408. */
      requestTimeoutMs: positiveInt.default(30_000),
      headersTimeoutMs: positiveInt.default(10_000),
      /** On SIGTERM/SIGINT, requests in flight get this long to finish. */
      shutdownGraceMs: positiveInt.default(10_000),
    })
    .prefault({}),
  audit: z
    .strictObject({
      /** Exchange audit rows are written in batches within this many ms; 0 writes each at once. */
      exchangeFlushMs: z.int().min(0).max(1000).default(50),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** When set, `GET /metrics` requires `Authorization: Bearer <this>`. */
      bearerToken: z.string().min(16, { error: 'expected at least 16 characters' }).optional(),
    })
    .prefault({}),
  clients: z.array(clientSchema).default([]),
});

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  TESSERA_ISSUER: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'expected a postgres:// URL' })
    .optional(),
  TESSERA_DATA_DIR: z.string().min(1).default('./data'),
  TESSERA_KEYS_DIR: z.string().min(1).default('./keys'),
  TESSERA_CONFIG: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Every environment variable the service reads. */
export const SERVICE_ENV_VARS = Object.keys(envSchema.shape);

export type Resource = z.infer<typeof resourceSchema>;
export type ClientConfig = z.infer<typeof clientSchema>;
export type TokenPolicy = z.infer<typeof fileSchema>['tokens'];
export type Limits = z.infer<typeof fileSchema>['limits'];

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
  database: z.infer<typeof fileSchema>['database'];
  server: z.infer<typeof fileSchema>['server'];
  metrics: z.infer<typeof fileSchema>['metrics'];
  clients: ClientConfig[];
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

/** Checks the cross-field rules zod cannot express per field. */
function checkConsistency(file: z.infer<typeof fileSchema>, scopes: Record<string, string>, source: string) {
  file.resources.forEach((resource, i) => {
    resource.scopes.forEach((scope, j) => {
      if (!Object.hasOwn(scopes, scope)) {
        throw new ConfigError(`${source}: resources[${i}].scopes[${j}]: unknown scope "${scope}"`);
      }
    });
  });
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
    database: f.database,
    server: f.server,
    metrics: f.metrics,
    clients: f.clients,
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
  return { url, token: env.TESSERA_TOKEN };
}
