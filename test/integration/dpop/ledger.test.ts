/**
 * The DPoP state shared by instances, on a real database: the proof jti ledger (RFC 9449
 * §11.1) and the nonce key (§8). Two stores on one database stand for two instances.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DatabaseNonceSource, NONCE_STEP_SECONDS } from '../../../src/dpop/nonce.js';
import { DatabaseReplayStore, pruneProofUses, replayExpiry } from '../../../src/dpop/replay.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

let database: TestDatabase;
let now = new Date('2026-12-05T12:00:00Z');
const clock = () => now;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});

describe('DatabaseReplayStore', () => {
  it('accepts a (key, jti) once, on whichever instance sees it first', async () => {
    const first = new DatabaseReplayStore(database.db, clock);
    const second = new DatabaseReplayStore(database.db, clock);
    const until = replayExpiry(now.getTime() / 1000, 60);
    expect(await first.consume('key-a', 'jti-1', until)).toBe(true);
    expect(await second.consume('key-a', 'jti-1', until)).toBe(false);
    expect(await first.consume('key-a', 'jti-1', until)).toBe(false);
    // Another client's key: its jti space is its own.
    expect(await second.consume('key-b', 'jti-1', until)).toBe(true);
  });

  it('prunes rows whose window is over, and only those', async () => {
    const iat = now.getTime() / 1000;
    const store = new DatabaseReplayStore(database.db, clock);
    await store.consume('key-p', 'old', replayExpiry(iat - 1000, 60));
    await store.consume('key-p', 'fresh', replayExpiry(iat, 60));
    expect(await pruneProofUses(database.db, now)).toBeGreaterThanOrEqual(1);
    const { rows } = await database.db.query<{ jti: string }>(
      `SELECT jti FROM dpop_proof_uses WHERE jkt = 'key-p'`,
    );
    expect(rows.map((r) => r.jti)).toEqual(['fresh']);
  });

  it('keeps a row at least until a proof with that iat fails the window check', () => {
    const iat = 1_800_000_000;
    expect(replayExpiry(iat, 60).getTime() / 1000).toBeGreaterThan(iat + 60);
  });
});

describe('DatabaseNonceSource', () => {
  it('a nonce one instance issues is good on another, for its step and the next only', async () => {
    const first = new DatabaseNonceSource(database.db, clock);
    const second = new DatabaseNonceSource(database.db, clock);
    const nonce = await first.current();
    expect(await second.isCurrent(nonce)).toBe(true);
    now = new Date(now.getTime() + NONCE_STEP_SECONDS * 1000);
    expect(await second.isCurrent(nonce)).toBe(true);
    now = new Date(now.getTime() + NONCE_STEP_SECONDS * 1000);
    expect(await second.isCurrent(nonce)).toBe(false);
  });

  it('refuses forged and malformed nonces', async () => {
    const source = new DatabaseNonceSource(database.db, clock);
    const nonce = await source.current();
    const [step] = nonce.split('.');
    expect(await source.isCurrent(`${step}.${'A'.repeat(43)}`)).toBe(false);
    expect(await source.isCurrent('nonsense')).toBe(false);
    expect(await source.isCurrent(`${nonce}x`)).toBe(false);
  });
});
