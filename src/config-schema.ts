/**
 * The shapes of the configuration: the JSON config file and the environment, as zod schemas.
 * Messages are written for operators: `loadConfig` prefixes them with the field's path.
 */
import { z } from 'zod';
import { workersSchema } from './cluster/worker-count.js';
import { PUBLIC_CLIENT_ID } from './exchange/constants.js';
import { SIGNING_ALGS } from './keys/algorithms.js';

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
  client_id: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'expected 1-64 characters [A-Za-z0-9._-]' })
    // The built-in public client is never confidential: the token endpoint answers its plain
    // exchanges without client authentication (src/oidc/direct-exchange.ts).
    .refine((id) => id !== PUBLIC_CLIENT_ID, {
      error: `${PUBLIC_CLIENT_ID} is the built-in public client's id`,
    }),
  client_secret: z.string().min(16, { error: 'expected a secret of at least 16 characters' }),
  grant_types: z.array(z.string()).default(['urn:ietf:params:oauth:grant-type:token-exchange']),
  audiences: z.array(z.url()).optional(),
});

/** Webhook delivery and expiry notices (docs/webhooks.md). */
const webhooksSchema = z
  .strictObject({
    /** How often each instance looks for due deliveries. */
    pollIntervalMs: positiveInt.default(5000),
    /** A receiver must answer within this long, else the attempt failed. */
    timeoutMs: positiveInt.max(60_000, { error: 'expected at most 60000 ms' }).default(10_000),
    /** Attempts per event and endpoint before it is given up. */
    maxAttempts: positiveInt.max(100, { error: 'expected at most 100' }).default(12),
    /** Retry n waits base * 2^(n-1) seconds, at most the cap. */
    backoffBaseSeconds: positiveInt.default(10),
    backoffCapSeconds: positiveInt.default(3600),
    /** This many failed attempts in a row disable an endpoint until an administrator re-enables it. */
    failureThreshold: positiveInt.default(20),
    /** Deliveries one instance claims per poll. */
    batchSize: positiveInt.max(100, { error: 'expected at most 100' }).default(20),
    /** `token.expiring` goes out once per threshold, this many days before `expires_at`. */
    expiryNoticeDays: z.array(positiveInt.max(3650)).max(10).default([30, 7, 1]),
    /** How often each instance looks for tokens to send expiry notices about. */
    expirySweepIntervalMs: positiveInt.default(600_000),
    /** Delivered or given-up outbox rows and delivery log rows are deleted after this many days. */
    retentionDays: positiveInt.max(3650).default(30),
    /** Lets webhooks reach loopback, private and link-local addresses, and plain http (dev, tests). */
    allowPrivateNetworks: z.boolean().default(false),
  })
  .prefault({});

/** Email notices to token owners (docs/design.md, "Notifications to people (email)"). */
const notificationsSchema = z
  .strictObject({
    /** Sent or given-up notices are deleted after this many days (they hold the owner's address). */
    retentionDays: positiveInt.max(3650).default(30),
    email: z
      .strictObject({
        /** `smtp://host:587` (STARTTLS when offered) or `smtps://host:465` (implicit TLS). */
        smtpUrl: z.url({ protocol: /^smtps?$/, error: 'expected an smtp:// or smtps:// URL' }),
        from: z.string().min(3).max(256),
        /** How often each instance looks for due emails. */
        pollIntervalMs: positiveInt.default(5000),
        /** Attempts per email before it is given up (retries back off as webhooks do). */
        maxAttempts: positiveInt.max(100).default(12),
        backoffBaseSeconds: positiveInt.default(30),
        backoffCapSeconds: positiveInt.default(3600),
      })
      .optional(),
  })
  .prefault({});

/** The web console (docs/design.md, "Console and sign-in"). */
const consoleSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    sessionIdleMinutes: positiveInt.max(7 * 24 * 60).default(60),
    sessionMaxHours: positiveInt.max(30 * 24).default(12),
  })
  .prefault({});

const oidcLoginSchema = z.strictObject({
  issuer: z.url({ error: 'expected an absolute URL' }),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  scopes: z.array(z.string().min(1)).default(['openid', 'profile', 'email']),
  usernameClaim: z.string().min(1).default('preferred_username'),
  groupsClaim: z.string().min(1).default('groups'),
  defaultEntitlements: z.array(scopeName).default(['tessera:tokens']),
  groupEntitlements: z.record(z.string().min(1), z.array(scopeName)).default({}),
  adminGroups: z.array(z.string().min(1)).default([]),
});

const loginSchema = z
  .strictObject({
    tokenSignIn: z.boolean().default(true),
    oidc: oidcLoginSchema.optional(),
  })
  .prefault({});

export const fileSchema = z.strictObject({
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
      alg: z.enum(SIGNING_ALGS).default('ES256'),
      /** `Cache-Control: max-age` of the JWKS response. */
      jwksMaxAgeSeconds: positiveInt.max(86400, { error: 'expected at most 86400 seconds' }).default(300),
      /** Load group/world-accessible key files and keys directories with a warning instead of refusing. */
      allowLoosePermissions: z.boolean().default(false),
    })
    .prefault({}),
  /** Per-instance rate limits, per client IP, per minute. */
  limits: z
    .strictObject({
      tokenRequestsPerMinute: positiveInt.default(600),
      failedAuthPerMinute: positiveInt.default(30),
      leakReportsPerMinute: positiveInt.default(10),
      /** Requests per address per minute to each of /console/sign-in (POST), /console/sso, /console/callback. */
      consoleSignInPerMinute: positiveInt.default(30),
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
      /** Open an embedded (PGlite) data directory that group or others can access, with a warning. */
      allowLoosePermissions: z.boolean().default(false),
    })
    .prefault({}),
  server: z
    .strictObject({
      /** A request (headers and body) must arrive within this long, else 408. */
      requestTimeoutMs: positiveInt.default(30_000),
      headersTimeoutMs: positiveInt.default(10_000),
      /** On SIGTERM/SIGINT, requests in flight get this long to finish. */
      shutdownGraceMs: positiveInt.default(10_000),
      /** Processes serving requests (`tessera serve --workers` wins); `auto` = one per core. */
      workers: workersSchema.default(1),
      /**
       * CIDRs of the proxies whose `X-Forwarded-For` is believed (see net/client-address.ts);
       * none by default, so the socket address is the client.
       */
      trustProxy: z
        .array(z.union([z.cidrv4(), z.cidrv6()], { error: 'expected an IPv4 or IPv6 CIDR' }))
        .max(100)
        .default([]),
    })
    .prefault({}),
  audit: z
    .strictObject({
      /** Exchange audit rows are written in batches within this many ms; 0 writes each at once. */
      exchangeFlushMs: z.int().min(0).max(1000).default(50),
    })
    .prefault({}),
  /** Token exchange (DESIGN.md, "Delegation"). */
  exchange: z
    .strictObject({
      /** The deepest `act` nesting an exchanged JWT may carry. */
      maxActorDepth: z.int().min(1).max(10).default(3),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** When set, `GET /metrics` requires `Authorization: Bearer <this>`. */
      bearerToken: z.string().min(16, { error: 'expected at least 16 characters' }).optional(),
    })
    .prefault({}),
  clients: z
    .array(clientSchema)
    .refine((clients) => new Set(clients.map((c) => c.client_id)).size === clients.length, {
      error: 'expected each client_id once',
    })
    .default([]),
  /** Federated subject tokens (external OIDC tokens exchanged through trust policies). */
  federation: z
    .strictObject({
      /** An external token's `iat` may be at most this old. */
      maxTokenAgeSeconds: positiveInt.max(86400, { error: 'expected at most 86400 seconds' }).default(3600),
      /** An unknown `kid` re-fetches an issuer's JWKS at most once per this many seconds. */
      jwksCooldownSeconds: z.int().min(0).max(3600).default(30),
      /** An issuer's JWKS is re-fetched after this long even without an unknown `kid`. */
      jwksCacheSeconds: positiveInt.max(86400).default(600),
      /** Discovery and JWKS requests to an issuer give up after this long (then 503). */
      fetchTimeoutMs: positiveInt.max(30_000).default(5000),
    })
    .prefault({}),
  /** Sender-constrained tokens (DPoP, RFC 9449). */
  dpop: z
    .strictObject({
      /** A proof's `iat` may be this many seconds from the server's clock, either way (§11.1). */
      iatSkewSeconds: positiveInt.max(600, { error: 'expected at most 600 seconds' }).default(60),
      /** The token endpoint accepts only proofs carrying a nonce it issued (§8). */
      requireNonce: z.boolean().default(false),
    })
    .prefault({}),
  webhooks: webhooksSchema,
  notifications: notificationsSchema,
  console: consoleSchema,
  login: loginSchema,
});

export const envSchema = z.object({
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
export type Resource = z.infer<typeof resourceSchema>;
export type ClientConfig = z.infer<typeof clientSchema>;
export type TokenPolicy = z.infer<typeof fileSchema>['tokens'];
export type Limits = z.infer<typeof fileSchema>['limits'];
export type FederationConfig = z.infer<typeof fileSchema>['federation'];
export type DpopConfig = z.infer<typeof fileSchema>['dpop'];
export type WebhookSettings = z.infer<typeof fileSchema>['webhooks'];
export type ConsoleConfig = z.infer<typeof consoleSchema>;
export type NotificationsConfig = z.infer<typeof notificationsSchema>;
export type EmailSettings = NonNullable<NotificationsConfig['email']>;
export type LoginConfig = z.infer<typeof loginSchema>;
export type OidcLoginConfig = z.infer<typeof oidcLoginSchema>;
