/**
 * Holds the live oidc-provider and swaps it atomically when the signing keys change (on SIGHUP
 * and on a periodic check): a request runs to its end on the provider it started with, the
 * next one gets the new provider. A failed reload keeps the old provider and is logged.
 */

import type { Context, Middleware } from 'koa';
import compose from 'koa-compose';
import type Provider from 'oidc-provider';
import type { Clock } from '../clock.js';
import { type PeriodicJob, startPeriodic } from '../jobs/periodic.js';
import type { KeyPolicy, KeyRing } from '../keys/keyring.js';
import { loadKeyRing } from '../keys/keyring.js';
import type { Logger } from '../logger.js';
import { presentAsIssuer } from './issuer-origin.js';

/** A GET document (JWKS, discovery) as the live provider rendered it, ready to resend. */
export interface CachedDocument {
  body: Buffer;
  etag: string;
  /** Every response header but the length, fixed for the document's life. */
  headers: Record<string, string>;
}

interface Live {
  provider: Provider;
  /** Rendered once per provider: a key swap starts a new cache. */
  documents: Map<string, CachedDocument>;
  handle: (ctx: Context) => Promise<unknown>;
  keys: KeyRing;
}

export class ProviderHost {
  #live: Live;
  #watch: PeriodicJob<boolean> | undefined;

  private constructor(
    live: Live,
    private readonly build: (keys: KeyRing) => Provider,
    private readonly policy: KeyPolicy,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.#live = live;
  }

  static async start(build: (keys: KeyRing) => Provider, policy: KeyPolicy, clock: Clock, logger: Logger) {
    const keys = await loadKeyRing(policy, clock());
    for (const warning of keys.warnings) logger.warn({ keysDir: policy.dir }, warning);
    return new ProviderHost(ProviderHost.#wrap(build(keys), keys, logger), build, policy, clock, logger);
  }

  static #wrap(provider: Provider, keys: KeyRing, logger: Logger): Live {
    provider.on('server_error', (_ctx: unknown, error: Error) =>
      logger.error({ err: error }, 'oidc server_error'),
    );
    const handle = compose(provider.middleware as Middleware[]);
    const issuer = new URL(provider.issuer);
    return {
      provider,
      keys,
      documents: new Map(),
      handle: (ctx) => {
        presentAsIssuer(ctx, issuer);
        return handle(ctx);
      },
    };
  }

  get keys(): KeyRing {
    return this.#live.keys;
  }

  get provider(): Provider {
    return this.#live.provider;
  }

  /** The live provider's documents, keyed by path. */
  get documents(): Map<string, CachedDocument> {
    return this.#live.documents;
  }

  /** Runs the request through the provider that is live now. */
  handle(ctx: Context): Promise<unknown> {
    return this.#live.handle(ctx);
  }

  /** Re-reads the keys directory; returns true when the provider was swapped. */
  async reload(): Promise<boolean> {
    try {
      const keys = await loadKeyRing(this.policy, this.clock());
      if (keys.fingerprint === this.#live.keys.fingerprint) return false;
      for (const warning of keys.warnings) this.logger.warn({ keysDir: this.policy.dir }, warning);
      this.#live = ProviderHost.#wrap(this.build(keys), keys, this.logger);
      this.logger.info(
        { signingKid: keys.signing.kid, published: keys.published.map((k) => k.kid) },
        'signing keys reloaded',
      );
      return true;
    } catch (error) {
      this.logger.error({ err: error }, 'signing keys reload failed; keeping the current ones');
      return false;
    }
  }

  /** Checks the keys directory every `intervalMs` (the timer does not keep the process alive). */
  watch(intervalMs: number): void {
    const reload = () => this.reload();
    this.#watch = startPeriodic({
      name: 'signing keys check',
      intervalMs,
      run: reload,
      logger: this.logger,
      runNow: false,
    });
  }

  close(): void {
    void this.#watch?.stop();
  }
}
