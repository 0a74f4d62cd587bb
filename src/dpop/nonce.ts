/**
 * Server-provided DPoP nonces (RFC 9449 §8). A nonce is the current time step and an HMAC of
 * it, so every instance can check one another instance issued with nothing stored per nonce;
 * the HMAC key is one database row, made by whichever instance needs it first. A nonce is good
 * during its step and the next, so a client that just got one is never refused at a step's edge.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/queryable.js';

export const NONCE_STEP_SECONDS = 300;

export interface NonceSource {
  current(): Promise<string>;
  isCurrent(nonce: string): Promise<boolean>;
}

async function loadSecret(db: Queryable): Promise<Buffer> {
  await db.query('INSERT INTO dpop_nonce_key (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [
    randomBytes(32),
  ]);
  const { rows } = await db.query<{ secret: Buffer | Uint8Array }>(
    'SELECT secret FROM dpop_nonce_key WHERE id = 1',
  );
  const secret = rows[0]?.secret;
  if (!secret) throw new Error('dpop_nonce_key has no row');
  return Buffer.from(secret);
}

export class DatabaseNonceSource implements NonceSource {
  #secret: Promise<Buffer> | undefined;

  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock,
  ) {}

  #step(): number {
    return Math.floor(this.clock().getTime() / 1000 / NONCE_STEP_SECONDS);
  }

  async #mac(step: number): Promise<string> {
    this.#secret ??= loadSecret(this.db).catch((error: unknown) => {
      this.#secret = undefined;
      throw error;
    });
    return createHmac('sha256', await this.#secret)
      .update(`dpop-nonce:${step}`)
      .digest('base64url');
  }

  async current(): Promise<string> {
    const step = this.#step();
    return `${step.toString(36)}.${await this.#mac(step)}`;
  }

  async isCurrent(nonce: string): Promise<boolean> {
    const match = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(nonce);
    if (!match) return false;
    const step = Number.parseInt(match[1] as string, 36);
    const now = this.#step();
    if (step !== now && step !== now - 1) return false;
    const expected = Buffer.from(await this.#mac(step));
    const presented = Buffer.from(match[2] as string);
    return expected.length === presented.length && timingSafeEqual(expected, presented);
  }
}
